package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic {@code node} template (OpenFaaS's (context, callback) handler) with real node and npm. */
class NodeClassicTemplateTest {

    @Test
    void sampleAnswersThroughTheCallback(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("node", tmp);
        TemplateBuild build = b.build("node");
        assertEquals(new TestReport(2, 0, 0), build.tests());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            HttpResponse<String> res = fn.post("/", "Ada");
            assertEquals(200, res.statusCode());
            assertEquals("{\"greeting\":\"Hello, Ada! (from Node.js classic)\",\"method\":\"POST\"}", res.body());
            assertEquals("text/plain", res.headers().firstValue("Content-Type").orElseThrow(), "the caller's Content-Type, as the watchdog");
        }
    }

    @Test
    void stringsErrorsHttpVariablesAndContentType(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.js", """
                module.exports = (context, callback) => {
                  if (context === 'boom') return callback(new Error('kaboom'));
                  callback(undefined, process.env.Http_Method + ' ' + process.env.Http_Path + ' ' + (process.env.Http_Query || '-')
                    + ' ' + (process.env.Http_X_Custom || '-') + ' ' + context);
                };
                """);
        TemplateBuild built = b.build("node");
        Map<String, String> env = new HashMap<>(built.environment());
        env.put("content_type", "text/csv");
        try (RunningFunction fn = RunningFunction.start(new TemplateBuild(built.layers(), built.entrypoint(), env,
                built.workingDirectory(), built.tests()), tmp.resolve("root"))) {
            HttpResponse<String> res = fn.send(HttpRequest.newBuilder(fn.uri("/a?b=1")).header("X-Custom", "yes")
                    .PUT(HttpRequest.BodyPublishers.ofString("body")));
            assertEquals("PUT /a b=1 yes body", res.body());
            assertEquals("text/csv", res.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("GET / - - ", fn.get("/").body(), "no variable of the previous request is left");
            HttpResponse<String> boom = fn.post("/", "boom");
            assertEquals(500, boom.statusCode());
            assertEquals("handler error: kaboom", boom.body());
        }
    }

    @Test
    void failingTestFailsTheBuild(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("node", tmp).file("more.test.js", """
                const test = require('node:test');
                const assert = require('node:assert');
                const handler = require('./handler');
                test('french', (t, done) => handler('x', (err, res) => { assert.strictEqual(res.greeting, 'Bonjour'); done(); }));
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("node"));
        assertEquals(3, e.report().run());
        assertEquals(1, e.report().failed());
    }
}
