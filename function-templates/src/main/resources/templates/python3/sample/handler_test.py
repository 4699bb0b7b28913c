import unittest

from .handler import handle


class HandlerTest(unittest.TestCase):
    def test_greets_the_name_in_the_body(self):
        self.assertEqual(handle("Driftless"), "Hello, Driftless! (from Python)")

    def test_greets_the_world_without_a_body(self):
        self.assertEqual(handle(""), "Hello, world! (from Python)")
