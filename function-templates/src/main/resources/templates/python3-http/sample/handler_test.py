import unittest

from .handler import handle


class Event:
    def __init__(self, body=b"", query=None):
        self.body = body
        self.headers = {}
        self.method = "POST"
        self.query = query or {}
        self.path = "/"


class HandlerTest(unittest.TestCase):
    def test_greets_the_name_in_the_body(self):
        res = handle(Event(b"Driftless"), None)
        self.assertEqual(res["statusCode"], 200)
        self.assertEqual(res["body"]["greeting"], "Hello, Driftless! (from Python HTTP)")

    def test_greets_the_name_in_the_query(self):
        self.assertEqual(handle(Event(query={"name": "Ada"}), None)["body"]["greeting"], "Hello, Ada! (from Python HTTP)")
