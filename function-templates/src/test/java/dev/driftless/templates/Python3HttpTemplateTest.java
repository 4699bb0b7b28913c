package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The python3-http template (OpenFaaS's handle(event, context)) with real python3 and unittest processes. */
class Python3HttpTemplateTest {

    @Test
    void sampleAnswersWithStatusBodyAndHeadersFromTheReturnedDict(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("python3-http", tmp);
        TemplateBuild build = b.build("python3-http");
        assertEquals(new TestReport(2, 0, 0), build.tests());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            HttpResponse<String> res = fn.post("/greet?name=ignored", "Ada");
            assertEquals(200, res.statusCode());
            assertEquals("{\"greeting\": \"Hello, Ada! (from Python HTTP)\", \"method\": \"POST\", \"path\": \"/greet\"}", res.body());
            assertEquals("application/json", res.headers().firstValue("Content-Type").orElseThrow(), "a dict body is JSON");
            assertEquals("python3-http", res.headers().firstValue("X-Served-By").orElseThrow());
            assertTrue(fn.get("/?name=Bob").body().contains("Hello, Bob!"), "event.query");
        }
    }

    @Test
    void statusCodesHeadersBytesAndPlainReturnValues(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.py", """
                def handle(event, context):
                    if event.path == "/created":
                        return {"statusCode": 201, "body": "made", "headers": {"Content-Type": "text/plain", "Location": "/x"}}
                    if event.path == "/plain":
                        return "just a string"
                    if event.path == "/boom":
                        raise ValueError("kaboom")
                    return {"statusCode": 404, "body": event.headers.get("x-custom") or "none"}
                """);
        try (RunningFunction fn = RunningFunction.start(b.build("python3-http"), tmp.resolve("root"))) {
            HttpResponse<String> created = fn.get("/created");
            assertEquals(201, created.statusCode());
            assertEquals("made", created.body());
            assertEquals("/x", created.headers().firstValue("Location").orElseThrow());
            assertEquals("text/plain", created.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("just a string", fn.get("/plain").body());
            HttpResponse<String> missing = fn.send(HttpRequest.newBuilder(fn.uri("/other")).header("X-Custom", "yes").GET());
            assertEquals(404, missing.statusCode());
            assertEquals("yes", missing.body(), "headers are case-insensitive");
            HttpResponse<String> boom = fn.get("/boom");
            assertEquals(500, boom.statusCode());
            assertEquals("handler error: ValueError: kaboom", boom.body());
        }
    }

    @Test
    void failingTestFailsTheBuild(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("python3-http", tmp).file("test_more.py", """
                import unittest
                from .handler import handle

                class E:
                    body = b"x"
                    headers = {}
                    method = "GET"
                    query = {}
                    path = "/"

                class MoreTest(unittest.TestCase):
                    def test_status(self):
                        self.assertEqual(handle(E(), None)["statusCode"], 201)
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("python3-http"));
        assertEquals(new TestReport(3, 1, 0), e.report());
    }
}
