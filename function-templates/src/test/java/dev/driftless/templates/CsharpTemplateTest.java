package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The csharp template with Mono's real mcs and mono. */
class CsharpTemplateTest {

    @Test
    void sampleCompilesRunsItsTestsAndServes(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("csharp", tmp);
        TemplateBuild build = b.build("csharp");
        assertEquals(new TestReport(2, 0, 0), build.tests());
        assertTrue(b.logText().contains("PASS FunctionHandlerTests.TestGreetsTheNameInTheBody"), b.logText());
        assertEquals(List.of("mono", "--config", "/home/app/function/mono.config", "/home/app/function/function.exe"), build.entrypoint());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("OK", fn.get("/_/health").body());
            HttpResponse<String> res = fn.post("/", "Ada");
            assertEquals(200, res.statusCode());
            assertEquals("Hello, Ada! (from C#, POST)", res.body());
            Java17TemplateTest.assertConcurrentAnswers(fn, "Hello, caller-%d! (from C#, POST)");
        }
    }

    @Test
    void httpVariablesContentTypeAndExceptions(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("FunctionHandler.cs", """
                using System;
                namespace Function {
                    public class FunctionHandler {
                        public string Handle(string input) {
                            if (input == "boom") throw new InvalidOperationException("kaboom");
                            return Environment.GetEnvironmentVariable("Http_Method") + " " + Environment.GetEnvironmentVariable("Http_Path")
                                + " " + (Environment.GetEnvironmentVariable("Http_Query") ?? "-") + " " + (Environment.GetEnvironmentVariable("Http_X_Custom") ?? "-")
                                + " " + input;
                        }
                    }
                }
                """);
        TemplateBuild built = b.build("csharp");
        assertEquals(TestReport.none(), built.tests());
        Map<String, String> env = new HashMap<>(built.environment());
        env.put("content_type", "application/json");
        try (RunningFunction fn = RunningFunction.start(new TemplateBuild(built.layers(), built.entrypoint(), env,
                built.workingDirectory(), built.tests()), tmp.resolve("root"))) {
            HttpResponse<String> res = fn.send(HttpRequest.newBuilder(fn.uri("/a?b=1")).header("X-Custom", "yes")
                    .PUT(HttpRequest.BodyPublishers.ofString("x")));
            assertEquals("PUT /a b=1 yes x", res.body());
            assertTrue(res.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            assertEquals("GET / - - ", fn.get("/").body(), "nothing of the previous request is left");
            HttpResponse<String> boom = fn.post("/", "boom");
            assertEquals(500, boom.statusCode());
            assertEquals("handler error: InvalidOperationException: kaboom", boom.body());
        }
    }

    @Test
    void failingTestAndCompileErrorFailTheBuild(@TempDir Path tmp) throws Exception {
        Builds failing = Builds.ofSample("csharp", tmp.resolve("a")).file("MoreTests.cs", """
                namespace Function {
                    public class MoreTests {
                        public void TestFrench() {
                            if (new FunctionHandler().Handle("x") != "Bonjour") throw new System.Exception("not french");
                        }
                    }
                }
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> failing.build("csharp"));
        assertEquals(new TestReport(3, 1, 0), e.report());
        assertTrue(failing.logText().contains("FAIL MoreTests.TestFrench: Exception: not french"), failing.logText());

        Builds broken = new Builds(tmp.resolve("b")).file("FunctionHandler.cs",
                "namespace Function { public class FunctionHandler { public int Handle(string input) { return 1; } } }\n");
        TemplateException c = assertThrows(TemplateException.class, () -> broken.build("csharp"));
        assertTrue(c.getMessage().startsWith("mcs failed"), c.getMessage());
    }
}
