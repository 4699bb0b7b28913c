"""Runs a python3 function's tests with unittest: test_*.py and *_test.py, plus plain test_* functions.

Usage: run_tests.py ROOT PACKAGE  (ROOT/PACKAGE is the function, imported as the package PACKAGE so
that relative imports like `from .handler import handle` work as in OpenFaaS). Prints unittest's
own summary ("Ran N tests", "OK"/"FAILED (...)"), which the builder parses.
"""
import sys
import unittest

root, package = sys.argv[1], sys.argv[2]
sys.path.insert(0, root)
sys.path.append(root + "/" + package)  # as index.py does: sibling modules import directly


class Loader(unittest.TestLoader):
    # OpenFaaS's handler_test.py is pytest-style (plain functions); run those as well.
    def loadTestsFromModule(self, module, *args, **kwargs):
        suite = super().loadTestsFromModule(module, *args, **kwargs)
        for name in sorted(dir(module)):
            obj = getattr(module, name)
            if name.startswith("test") and callable(obj) and not isinstance(obj, type) \
                    and getattr(obj, "__module__", None) == module.__name__:
                suite.addTest(unittest.FunctionTestCase(obj, description=module.__name__ + "." + name))
        return suite


loader = Loader()
start = root + "/" + package
suite = unittest.TestSuite()
for pattern in ("test_*.py", "*_test.py"):
    suite.addTests(loader.discover(start_dir=start, pattern=pattern, top_level_dir=root))
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
