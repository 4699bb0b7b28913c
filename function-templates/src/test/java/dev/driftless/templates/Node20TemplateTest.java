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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node20 template with real node, npm (against the npm registry) and node's test runner. */
class Node20TemplateTest {

    @Test
    void samplePassesItsTestsAndServesOverHttp(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("node20", tmp);
        TemplateBuild build = b.build("node20");

        assertEquals(new TestReport(2, 0, 0), build.tests());
        assertEquals(List.of("/opt/driftless/runtime", "/home/app/node_modules", "/home/app/function"),
                build.layers().stream().map(ImageLayer::pathInImage).toList());
        assertEquals(List.of("node", "/opt/driftless/runtime/index.js"), build.entrypoint());
        assertTrue(Files.isRegularFile(build.layers().get(2).sourceDir().resolve("handler.js")));

        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("OK", fn.get("/_/health").body());
            HttpResponse<String> hello = fn.get("/greet?name=Ada");
            assertEquals(200, hello.statusCode());
            assertEquals("Hello, Ada! (from Node.js, GET /greet)", hello.body());
            assertEquals("text/plain; charset=utf-8", hello.headers().firstValue("Content-Type").orElseThrow());
            String big = "n".repeat(12 * 1024 * 1024);
            assertEquals("Hello, ".length() + big.length() + "! (from Node.js, POST /)".length(), fn.post("/", big).body().length());
            Java17TemplateTest.assertConcurrentAnswers(fn, "Hello, caller-%d! (from Node.js, POST /)");
        }
    }

    @Test
    void packageJsonDependencyIsInstalledWithoutDevDependenciesAndUsable(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.js", """
                const ms = require('ms');
                module.exports = async (event, context) => context.status(200).succeed({ twoDays: ms('2 days'), json: event.body });
                """).file("package.json", """
                { "name": "fn", "version": "1.0.0", "private": true,
                  "dependencies": { "ms": "2.1.3" },
                  "devDependencies": { "is-number": "7.0.0" } }
                """);
        TemplateBuild build = b.build("node20");
        Path modules = build.layers().get(1).sourceDir();
        assertTrue(Files.isRegularFile(modules.resolve("ms/package.json")));
        assertFalse(Files.exists(modules.resolve("is-number")), "devDependencies stay out of the image");
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            HttpResponse<String> res = fn.send(HttpRequest.newBuilder(fn.uri("/"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).header("Content-Type", "application/json"));
            assertEquals(200, res.statusCode());
            assertEquals("{\"twoDays\":172800000,\"json\":{\"a\":1}}", res.body());
            assertTrue(res.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        }
    }

    @Test
    void failingNodeTestFailsTheBuildWithCounts(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("node20", tmp).file("french.test.js", """
                const test = require('node:test');
                const assert = require('node:assert');
                test('greets in French', () => assert.strictEqual('Hello', 'Bonjour'));
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("node20"));
        assertEquals(new TestReport(3, 1, 0), e.report());
        assertTrue(b.logText().contains("Bonjour"), b.logText());
    }

    @Test
    void otherTestRunnerCountsAsOneTest(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("node20", tmp).file("package.json", """
                { "name": "fn", "version": "1.0.0", "private": true, "scripts": { "test": "node check.js" } }
                """).file("check.js", "process.exit(require('./handler') ? 3 : 0);\n");
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("node20"));
        assertEquals(new TestReport(1, 1, 0), e.report());
        assertTrue(b.logText().contains("counting npm test as one test"));
    }

    @Test
    void handlerThatThrowsOrFailsGives500AndTheServerStaysUp(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.js", """
                module.exports = async (event, context) => {
                  if (event.path === '/throw') throw new Error('kaboom');
                  if (event.path === '/fail') return context.fail('refused');
                  if (event.path === '/teapot') return context.status(418).fail(new Error('short and stout'));
                  return { method: event.method, path: event.path, query: event.query };
                };
                """);
        try (RunningFunction fn = RunningFunction.start(b.build("node20"), tmp.resolve("root"))) {
            HttpResponse<String> thrown = fn.get("/throw");
            assertEquals(500, thrown.statusCode());
            assertEquals("handler error: Error: kaboom", thrown.body());
            HttpResponse<String> failed = fn.get("/fail");
            assertEquals(500, failed.statusCode());
            assertEquals("refused", failed.body());
            assertEquals(418, fn.get("/teapot").statusCode());
            HttpResponse<String> ok = fn.send(HttpRequest.newBuilder(fn.uri("/x/y?a=1")).method("DELETE", HttpRequest.BodyPublishers.noBody()));
            assertEquals("{\"method\":\"DELETE\",\"path\":\"/x/y\",\"query\":{\"a\":\"1\"}}", ok.body());
            assertTrue(fn.process.isAlive());
        }
    }

    @Test
    void testThatHangsIsKilledAtTheTimeLimit(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("node20", tmp).file("hang.test.js", """
                const test = require('node:test');
                test('hangs', () => new Promise(() => setInterval(() => {}, 1000)));
                """);
        b.testTimeout = Duration.ofSeconds(5);
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("node20"));
        assertEquals("tests timed out after 5 s", e.getMessage());
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains(b.work.toString())),
                "npm, node --test and the test file's process are all gone");
    }

    @Test
    void testsDoNotSeeTheDaemonsEnvironment(@TempDir Path tmp) throws Exception {
        assertNotNull(System.getenv("DRIFTLESS_TEST_PARENT_SECRET"), "surefire sets this variable in the parent");
        Builds b = Builds.ofSample("node20", tmp).file("env.test.js", """
                const test = require('node:test');
                test('prints env', () => { for (const [k, v] of Object.entries(process.env)) console.log(`ENV ${k}=${v}`); });
                """);
        b.build("node20");
        List<String> env = b.log.stream().filter(l -> l.contains("ENV ")).map(l -> l.substring(l.indexOf("ENV ") + 4)).toList();
        assertTrue(env.contains("HOME=" + b.work), env.toString());
        assertFalse(env.stream().anyMatch(l -> l.contains("DRIFTLESS_TEST_PARENT_SECRET") || l.contains("parent-secret-value")), env.toString());
    }

    @Test
    void esModuleHandlerWorks(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp)
                .file("package.json", "{ \"name\": \"fn\", \"version\": \"1.0.0\", \"type\": \"module\" }\n")
                .file("handler.js", "export default async (event, context) => context.status(202).succeed('esm ' + event.method);\n");
        try (RunningFunction fn = RunningFunction.start(b.build("node20"), tmp.resolve("root"))) {
            HttpResponse<String> res = fn.get("/");
            assertEquals(202, res.statusCode());
            assertEquals("esm GET", res.body());
        }
    }

    @Test
    void handlerThatExportsNoFunctionFailsTheBuild(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.js", "module.exports = { hello: 1 };\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("node20"));
        assertTrue(e.getMessage().contains("handler.js must export a function"), e.getMessage());
    }

    @Test
    void syntaxErrorInHandlerFailsTheBuild(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.js", "module.exports = async (event, context) => {\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("node20"));
        assertTrue(e.getMessage().startsWith("handler.js could not be loaded"), e.getMessage());
        assertTrue(e.getMessage().contains("SyntaxError"), e.getMessage());
    }
}
