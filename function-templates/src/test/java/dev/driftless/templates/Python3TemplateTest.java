package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The python3 template with real python3, pip and unittest processes. */
class Python3TemplateTest {

    @Test
    void samplePassesItsTestsAndServesOverHttp(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("python3", tmp);
        TemplateBuild build = b.build("python3");

        assertEquals(new TestReport(2, 0, 0), build.tests());
        assertEquals(List.of("/opt/driftless/runtime", "/opt/driftless/python-packages", "/home/app/function"),
                build.layers().stream().map(ImageLayer::pathInImage).toList());
        assertEquals(List.of("python3", "/opt/driftless/runtime/index.py"), build.entrypoint());
        assertTrue(Files.isRegularFile(build.layers().get(0).sourceDir().resolve("index.py")));
        Path function = build.layers().get(2).sourceDir();
        assertTrue(Files.isRegularFile(function.resolve("handler.py")));
        assertTrue(Files.isRegularFile(function.resolve("__init__.py")), "imported as the package 'function'");
        assertFalse(Files.exists(function.resolve("__pycache__")), "no byte code in the layer");
        assertTrue(b.logText().contains("no requirements to install"), "a comment-only requirements.txt installs nothing");

        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("OK", fn.get("/_/health").body());
            HttpResponse<String> hello = fn.get("/");
            assertEquals(200, hello.statusCode());
            assertEquals("Hello, world! (from Python)", hello.body());
            assertEquals("Hello, Ada! (from Python)", fn.post("/any/sub/path?x=1", "Ada").body());
            String big = "p".repeat(12 * 1024 * 1024);
            assertEquals("Hello, ".length() + big.length() + "! (from Python)".length(), fn.post("/", big).body().length());
            Java17TemplateTest.assertConcurrentAnswers(fn, "Hello, caller-%d! (from Python)");
        }
    }

    @Test
    void announcementKubeconHandlerWorksAsLangPython(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.py", "def handle(req):\n    return \"Hello kubecon\"\n")
                .file("requirements.txt", "");
        TemplateBuild build = b.build("python"); // stack.yml of the announcement says lang: python
        assertEquals(TestReport.none(), build.tests());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            HttpResponse<String> res = fn.post("/", "anything");
            assertEquals(200, res.statusCode());
            assertEquals("Hello kubecon", res.body());
        }
    }

    @Test
    void handlerImportsSiblingModulesRelativelyAndDirectly(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp)
                .file("handler.py", "from .words import upper\nimport punctuation\n\ndef handle(req):\n    return upper(req) + punctuation.BANG\n")
                .file("words.py", "def upper(s):\n    return s.upper()\n")
                .file("punctuation.py", "BANG = '!'\n")
                .file("test_handler.py", "import unittest\nfrom .handler import handle\n\nclass T(unittest.TestCase):\n    def test_it(self):\n        self.assertEqual(handle('a'), 'A!')\n");
        TemplateBuild build = b.build("python3");
        assertEquals(new TestReport(1, 0, 0), build.tests());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("HEY!", fn.post("/", "hey").body());
        }
    }

    @Test
    void failingUnittestFailsTheBuildWithCounts(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("python3", tmp).file("handler_test.py", """
                import unittest
                from .handler import handle

                class HandlerTest(unittest.TestCase):
                    def test_greets(self):
                        self.assertEqual(handle("x"), "Hello, x! (from Python)")

                    def test_french(self):
                        self.assertEqual(handle("x"), "Bonjour, x!")
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("python3"));
        assertEquals(new TestReport(2, 1, 0), e.report());
        assertTrue(b.logText().contains("AssertionError: 'Hello, x! (from Python)' != 'Bonjour, x!'"), b.logText());
    }

    @Test
    void pytestStyleFunctionsInTestFilesRunToo(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.py", "def handle(req):\n    return req.upper()\n")
                .file("test_handler.py", "from .handler import handle\n\ndef test_upper():\n    assert handle('a') == 'A'\n\ndef test_wrong():\n    assert handle('a') == 'a'\n");
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("python3"));
        assertEquals(new TestReport(2, 1, 0), e.report());
    }

    @Test
    void handlerThatRaisesGives500AndTheServerStaysUp(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.py", """
                def handle(req):
                    if req == "boom":
                        raise ValueError("kaboom")
                    return None
                """);
        try (RunningFunction fn = RunningFunction.start(b.build("python3"), tmp.resolve("root"))) {
            HttpResponse<String> boom = fn.post("/", "boom");
            assertEquals(500, boom.statusCode());
            assertEquals("handler error: ValueError: kaboom", boom.body());
            HttpResponse<String> empty = fn.send(HttpRequest.newBuilder(fn.uri("/")).method("PATCH", HttpRequest.BodyPublishers.ofString("x")));
            assertEquals(200, empty.statusCode());
            assertEquals("", empty.body());
            assertTrue(fn.process.isAlive());
        }
    }

    @Test
    void requirementsFromAPrivateIndexAreInstalledTestedAndServed(@TempDir Path tmp) throws Exception {
        try (PrivatePythonIndex index = new PrivatePythonIndex("greetlib", "1.0",
                "def greet(name):\n    return 'Greetings, ' + (name or 'nobody') + '!'\n")) {
            // pip reads its options from requirements.txt too: a private index is one line there.
            Builds b = Builds.ofSample("python3", tmp)
                    .file("requirements.txt", "--index-url " + index.url() + "\n--trusted-host 127.0.0.1\ngreetlib==1.0\n")
                    .file("handler.py", "from greetlib import greet\n\n\ndef handle(req):\n    return greet(req)\n")
                    .file("handler_test.py", """
                            import unittest

                            from .handler import handle


                            class HandlerTest(unittest.TestCase):
                                def test_uses_the_installed_package(self):
                                    self.assertEqual(handle("Ada"), "Greetings, Ada!")
                            """);
            TemplateBuild build = b.build("python3");

            assertEquals(new TestReport(1, 0, 0), build.tests(), "the tests import the installed package");
            assertTrue(index.requested.contains("/simple/greetlib/"), index.requested.toString());
            Path packages = build.layers().get(1).sourceDir();
            assertEquals("/opt/driftless/python-packages", build.layers().get(1).pathInImage());
            assertTrue(Files.isRegularFile(packages.resolve("greetlib/__init__.py")), "in the dependencies layer");
            assertFalse(Files.exists(packages.resolve("greetlib/__pycache__")), "no byte code in the layer");
            try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
                assertEquals("Greetings, Ada!", fn.post("/", "Ada").body());
            }
        }
    }

    @Test
    void failingPipInstallIsAClearError(@TempDir Path tmp) throws Exception {
        // A local path that does not exist fails at once, without the network.
        Builds b = Builds.ofSample("python3", tmp).file("requirements.txt", "# deps\n./no-such-package-dir\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("python3"));
        assertTrue(e.getMessage().startsWith("pip install -r requirements.txt failed (exit 1):"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-package-dir"), e.getMessage());
    }

    @Test
    void syntaxErrorInHandlerFailsTheBuild(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.py", "def handle(req)\n    return req\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("python3"));
        assertTrue(e.getMessage().startsWith("handler.py could not be imported"), e.getMessage());
        assertTrue(e.getMessage().contains("SyntaxError"), e.getMessage());
    }

    @Test
    void testThatSleepsForeverIsKilledAtTheTimeLimit(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("python3", tmp).file("test_sleep.py", """
                import subprocess, time, unittest
                class SleepTest(unittest.TestCase):
                    def test_sleeps(self):
                        subprocess.Popen(["sleep", "1000"])  # a grandchild must die too
                        time.sleep(100000)
                """);
        b.testTimeout = Duration.ofSeconds(3);
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("python3"));
        assertEquals("tests timed out after 3 s", e.getMessage());
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").equals("sleep 1000")
                        || p.info().arguments().map(a -> List.of(a).equals(List.of("1000"))).orElse(false)),
                "the test's child process was killed as well");
    }

    @Test
    void testsDoNotSeeTheDaemonsEnvironment(@TempDir Path tmp) throws Exception {
        assertNotNull(System.getenv("DRIFTLESS_TEST_PARENT_SECRET"), "surefire sets this variable in the parent");
        Builds b = Builds.ofSample("python3", tmp).file("test_env.py", """
                import os, unittest
                class EnvTest(unittest.TestCase):
                    def test_print(self):
                        for k, v in sorted(os.environ.items()):
                            print("ENV %s=%s" % (k, v))
                """);
        b.build("python3");
        List<String> env = b.log.stream().filter(l -> l.contains("ENV ")).map(l -> l.substring(l.indexOf("ENV ") + 4)).toList();
        assertTrue(env.contains("HOME=" + b.work), env.toString());
        assertFalse(env.stream().anyMatch(l -> l.contains("DRIFTLESS_TEST_PARENT_SECRET") || l.contains("parent-secret-value")), env.toString());
        assertFalse(env.stream().anyMatch(l -> l.startsWith("PYENV") || l.startsWith("MAVEN") || l.startsWith("CI=")), env.toString());
    }

    @Test
    void testEnabledFalseSkipsTests(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("python3", tmp).file("test_fails.py", "import unittest\nclass T(unittest.TestCase):\n    def test_x(self):\n        self.fail('no')\n");
        b.buildArgs = Map.of("TEST_ENABLED", "false");
        assertEquals(TestReport.none(), b.build("python3").tests());
    }

    @Test
    void identicalInputsGiveByteIdenticalLayers(@TempDir Path tmp) throws Exception {
        TemplateBuild first = Builds.ofSample("python3", tmp.resolve("a")).build("python3");
        TemplateBuild second = Builds.ofSample("python3", tmp.resolve("b")).build("python3");
        for (int i = 0; i < 3; i++) {
            assertEquals(RunningFunction.snapshot(first.layers().get(i).sourceDir()), RunningFunction.snapshot(second.layers().get(i).sourceDir()));
        }
    }
}
