package dev.driftless.gateway;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing, streaming and refusals through one gateway, over real TLS sockets, to real function servers.
 * Client limits are high here (every request comes from 127.0.0.1); {@link GatewayLimitsTest} covers them.
 */
class GatewayRoutingTest {
    @TempDir
    static Path data;
    static GatewayHarness harness;
    static FunctionServer hello;

    @BeforeAll
    static void start() throws Exception {
        harness = new GatewayHarness(data, builder -> builder
                .maxBodyBytes(64L * 1024 * 1024)
                .functionTimeouts(address -> address.function().equals("slow")
                        ? java.util.Optional.of(Duration.ofMillis(500)) : java.util.Optional.empty()));
        hello = harness.function("alice", "hello", "v1");
        harness.function("alice", "slow", "v1");
        harness.function("bob", "hello", "bob-v1");
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
    }

    private static RawHttps.Response get(String host, String path) throws Exception {
        return harness.client.get(harness.port(), host, path);
    }

    private static RawHttps.Response raw(String head) throws Exception {
        return harness.client.send(harness.port(), "localhost", head, null);
    }

    private static JsonObject json(RawHttps.Response response) {
        return new JsonObject(response.text());
    }

    @Test
    void subdomainFormStripsTheFunctionPrefixAndKeepsTheQuery() throws Exception {
        RawHttps.Response response = get("alice.localhost", "/hello/a/b%20c?x=1&y=%2F");
        assertEquals(200, response.status());
        JsonObject body = json(response);
        assertEquals("v1", body.getString("version"));
        assertEquals("/a/b%20c?x=1&y=%2F", body.getString("uri"));
        assertEquals("/hello", body.getJsonObject("headers").getString("x-forwarded-prefix"));
        assertEquals("/", json(get("alice.localhost", "/hello")).getString("uri"));
        assertEquals("/", json(get("alice.localhost", "/hello/")).getString("uri"));
    }

    @Test
    void pathFormReachesTheSameFunctionAndOwnersStayApart() throws Exception {
        JsonObject body = json(get("localhost", "/f/alice/hello/x?q=2"));
        assertEquals("v1", body.getString("version"));
        assertEquals("/x?q=2", body.getString("uri"));
        assertEquals("/f/alice/hello", body.getJsonObject("headers").getString("x-forwarded-prefix"));
        assertEquals("bob-v1", json(get("bob.localhost", "/hello")).getString("version"));
        assertEquals("bob-v1", json(get("localhost", "/f/bob/hello")).getString("version"));
    }

    @Test
    void methodAndBodyPassThrough() throws Exception {
        RawHttps.Response response = raw("PUT /f/alice/hello/item HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n\r\nhello");
        JsonObject body = json(response);
        assertEquals("PUT", body.getString("method"));
        assertEquals("hello", body.getString("body"));
    }

    @Test
    void aKeptAliveConnectionCarriesManyRequestsIncludingBodiesAndRefusals() throws Exception {
        String get = "GET /hello/k HTTP/1.1\r\nHost: alice.localhost\r\n\r\n";
        String post = "POST /hello/hash HTTP/1.1\r\nHost: alice.localhost\r\nContent-Length: 3\r\n\r\nabc";
        String missing = "GET /nope HTTP/1.1\r\nHost: alice.localhost\r\n\r\n";
        List<RawHttps.Response> responses = harness.client.keepAlive(harness.port(), "alice.localhost",
                List.of(get, post, get, missing, get, post, get));
        assertEquals(List.of(200, 200, 200, 404, 200, 200, 200), responses.stream().map(RawHttps.Response::status).toList());
        assertEquals("/k", json(responses.get(6)).getString("uri"));
        assertTrue(responses.get(5).text().endsWith(" 3"), responses.get(5).text());
    }

    @Test
    void hopByHopHeadersAreDroppedBothWaysAndForwardedHeadersAdded() throws Exception {
        RawHttps.Response response = raw("GET /hello HTTP/1.1\r\nHost: alice.localhost\r\n"
                + "Connection: close, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=9\r\nTE: trailers\r\n"
                + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nUpgrade: websocket\r\nX-Custom: kept\r\n"
                + "X-Forwarded-For: 10.9.8.7\r\nX-Forwarded-Host: evil.com\r\nX-Forwarded-Proto: http\r\n\r\n");
        JsonObject headers = json(response).getJsonObject("headers");
        for (String hop : List.of("x-secret-hop", "keep-alive", "te", "proxy-authorization", "upgrade")) {
            assertFalse(headers.containsKey(hop), hop + " reached the function: " + headers);
        }
        assertEquals("kept", headers.getString("x-custom"));
        assertEquals("127.0.0.1", headers.getString("x-forwarded-for"),
                "an X-Forwarded-For from a peer that is not a trusted proxy is a claim nobody checked: dropped");
        assertEquals("alice.localhost", headers.getString("x-forwarded-host"));
        assertEquals("https", headers.getString("x-forwarded-proto"));
        // The function's own hop-by-hop headers stay on its side of the gateway.
        assertNull(response.header("X-Backend-Secret"));
        assertNull(response.header("Keep-Alive"));
    }

    @Test
    void unknownFunctionsAndOwnersAre404WithoutDetail() throws Exception {
        for (RawHttps.Response response : List.of(get("alice.localhost", "/nope"), get("carol.localhost", "/hello"),
                get("localhost", "/f/alice/nope/x"), get("alice.localhost", "/"), get("localhost", "/f/"))) {
            assertEquals(404, response.status());
            assertEquals("{\"error\":\"function not found\"}", response.text());
        }
        assertEquals(404, get("localhost", "/dashboard").status(), "no fallback configured: bare domain is 404");
    }

    @Test
    void hostileHostHeadersAreRefused() throws Exception {
        String longLabel = "a".repeat(300);
        List<List<String>> cases = List.of(
                List.of("evil.com", "421"),
                List.of("alice.localhost.evil.com", "421"),
                List.of("localhost.evil.com", "421"),
                List.of("evil-localhost", "421"),
                List.of("a.b.localhost", "421"),
                List.of("..localhost", "400"),
                List.of(".localhost", "400"),
                List.of("alice..localhost", "400"),
                List.of("alice_x.localhost", "400"),
                List.of("alice.localhost:99999999", "400"),
                List.of(longLabel + ".localhost", "400"),
                List.of("alice.localhost/evil", "400"),
                List.of("", "400"));
        for (List<String> c : cases) {
            RawHttps.Response response = raw("GET /hello HTTP/1.1\r\nHost: " + c.get(0) + "\r\nConnection: close\r\n\r\n");
            assertEquals(Integer.parseInt(c.get(1)), response.status(), "Host: " + c.get(0) + " -> " + response.text());
            assertFalse(response.text().contains("v1"), "reached a function with Host " + c.get(0));
        }
        // Case and the port do not matter; a trailing dot is the same name.
        assertEquals(200, raw("GET /hello HTTP/1.1\r\nHost: ALICE.LocalHost:8443\r\nConnection: close\r\n\r\n").status());
        assertEquals(200, raw("GET /hello HTTP/1.1\r\nHost: alice.localhost.\r\nConnection: close\r\n\r\n").status());
    }

    @Test
    void pathTraversalIsRefusedBeforeRouting() throws Exception {
        for (String path : List.of("/f/alice/../bob/hello", "/f/alice/hello/../../bob/hello", "/f/alice/%2e%2e/bob/hello",
                "/f/alice/hello/%2E%2e/x", "/f/alice/fn%2f..", "/f/alice/hello%2f..%2fbob", "/f/alice/hello/a%2fb",
                "/f/alice/hello\\..\\x", "/f/alice/hello/%5c..", "/f/alice/./hello", "/f/alice/hello/.%2e/x",
                "/f/alice/hello/%00")) {
            RawHttps.Response response = get("localhost", path);
            assertEquals(400, response.status(), path + " -> " + response.text());
        }
        assertEquals(400, get("alice.localhost", "/hello/../../etc/passwd").status());
        assertEquals(400, get("alice.localhost", "/..%2fbob/hello").status());
        assertEquals(400, get("localhost", "/f/Alice%41/hello").status());
    }

    @Test
    void aLargeBodyStreamsBothWays() throws Exception {
        long size = 50L * 1024 * 1024;
        MessageDigest sent = FunctionServer.sha256();
        RawHttps.Response response = harness.client.send(harness.port(), "alice.localhost",
                "POST /hello/hash HTTP/1.1\r\nHost: alice.localhost\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n",
                out -> writeRandom(out, size, sent));
        assertEquals(200, response.status());
        assertEquals(HexFormat.of().formatHex(sent.digest()) + " " + size, response.text());

        // Chunked upload (no Content-Length) and a 64 MiB chunked download through the gateway.
        MessageDigest chunked = FunctionServer.sha256();
        RawHttps.Response viaChunks = harness.client.send(harness.port(), "alice.localhost",
                "POST /hello/hash HTTP/1.1\r\nHost: alice.localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                out -> {
                    for (int i = 0; i < 40; i++) {
                        out.write((Integer.toHexString(256 * 1024) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        writeRandom(out, 256 * 1024, chunked);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                });
        assertEquals(HexFormat.of().formatHex(chunked.digest()) + " " + (40L * 256 * 1024), viaChunks.text());
        assertEquals(64L * 1024 * 1024, get("alice.localhost", "/hello/big?mib=64").body().length);
    }

    @Test
    void backPressureReachesTheClientWhileTheFunctionDoesNotRead() throws Exception {
        // If the gateway buffered bodies, the client could push all of it while the function reads nothing.
        long size = 60L * 1024 * 1024;
        long[] written = {0};
        MessageDigest sent = FunctionServer.sha256();
        Thread watcher = new Thread(() -> {
            try {
                long last = -1;
                while (written[0] != last) { // wait until the client's writes stall
                    last = written[0];
                    Thread.sleep(700);
                }
                synchronized (written) {
                    written.notifyAll();
                }
                hello.release();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        watcher.start();
        long[] stalledAt = {-1};
        RawHttps.Response response = harness.client.send(harness.port(), "alice.localhost",
                "POST /hello/held HTTP/1.1\r\nHost: alice.localhost\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n",
                out -> {
                    byte[] chunk = new byte[64 * 1024];
                    new Random(7).nextBytes(chunk);
                    for (long done = 0; done < size; done += chunk.length) {
                        out.write(chunk);
                        sent.update(chunk);
                        written[0] = done + chunk.length;
                        if (stalledAt[0] < 0 && !watcher.isAlive()) {
                            stalledAt[0] = done;
                        }
                    }
                });
        watcher.join();
        assertEquals(HexFormat.of().formatHex(sent.digest()) + " " + size, response.text());
        assertTrue(stalledAt[0] >= 0 && stalledAt[0] < size / 2,
                "the client stalled only after " + stalledAt[0] + " of " + size + " bytes");
    }

    @Test
    void bodiesOverTheLimitAre413DeclaredOrStreamed() throws Exception {
        RawHttps.Response declared = raw("POST /f/alice/hello/hash HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                + (65L * 1024 * 1024) + "\r\nConnection: close\r\n\r\n");
        assertEquals(413, declared.status());
        RawHttps.Response streamed = harness.client.send(harness.port(), "alice.localhost",
                "POST /hello/hash HTTP/1.1\r\nHost: alice.localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
                out -> {
                    byte[] chunk = new byte[1024 * 1024];
                    try {
                        for (int i = 0; i < 80; i++) {
                            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.write(chunk);
                            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    } catch (java.io.IOException closedByGateway) {
                        // expected: the gateway answers 413 and closes mid-upload
                    }
                });
        assertEquals(413, streamed.status());
        assertEquals("close", streamed.header("Connection"));
    }

    @Test
    void aSlowFunctionTimesOutWith504AndTheDefaultTimeoutStillAppliesToOthers() throws Exception {
        long start = System.nanoTime();
        RawHttps.Response response = get("alice.localhost", "/slow/sleep?ms=5000");
        assertEquals(504, response.status());
        assertEquals("{\"error\":\"function timed out\"}", response.text());
        assertTrue(System.nanoTime() - start < 4_000_000_000L, "timed out at its own 500 ms, not later");
        assertEquals(200, get("alice.localhost", "/hello/sleep?ms=700").status(), "30 s default for other functions");
    }

    @Test
    void aBackendThatRefusesConnectionsIs502() throws Exception {
        FunctionServer gone = harness.function("alice", "gone", "v1");
        gone.stop();
        RawHttps.Response response = get("alice.localhost", "/gone");
        assertEquals(502, response.status());
        assertEquals("{\"error\":\"function unavailable\"}", response.text());
    }

    @Test
    void metricsHaveTheFunctionSeriesAndTrafficHasTheFigures() throws Exception {
        FunctionAddress address = new FunctionAddress("bob", "metered");
        harness.function("bob", "metered", "v1");
        for (int i = 0; i < 5; i++) {
            assertEquals(200, get("bob.localhost", "/metered/sleep?ms=20").status());
        }
        harness.routes.route(address, new Backend("127.0.0.1", 1, "dead"));
        assertEquals(502, get("bob.localhost", "/metered").status());
        String text = harness.metricsText();
        assertTrue(text.contains("driftless_gateway_requests_total{code=\"2xx\",function=\"metered\",owner=\"bob\"} 5.0"), text);
        assertTrue(text.contains("driftless_gateway_requests_total{code=\"5xx\",function=\"metered\",owner=\"bob\"} 1.0"), text);
        assertTrue(text.contains("driftless_gateway_errors_total{function=\"metered\",owner=\"bob\"} 1.0"), text);
        assertTrue(text.contains("driftless_gateway_request_duration_seconds_count{function=\"metered\",owner=\"bob\"} 6"), text);
        assertTrue(text.contains("driftless_gateway_refused_total{reason=\"unknown_host\"}")
                || text.contains("driftless_gateway_refused_total{reason=\"not_found\"}"), text);

        FunctionTraffic.Summary hour = harness.gateway.traffic().traffic(address, FunctionTraffic.LAST_HOUR);
        assertEquals(6, hour.requests());
        assertEquals(1, hour.errors());
        assertTrue(hour.p50Millis() >= 15, "every request slept 20 ms in the function: p50 " + hour);
        assertTrue(hour.p99Millis() >= hour.p90Millis() && hour.p90Millis() >= hour.p50Millis(), hour.toString());
        assertEquals(hour.requests(), harness.gateway.traffic().traffic(address, FunctionTraffic.LAST_DAY).requests());
    }

    private static void writeRandom(OutputStream out, long size, MessageDigest digest) throws java.io.IOException {
        Random random = new Random(size);
        byte[] chunk = new byte[64 * 1024];
        for (long done = 0; done < size; done += chunk.length) {
            random.nextBytes(chunk);
            int n = (int) Math.min(chunk.length, size - done);
            out.write(chunk, 0, n);
            digest.update(chunk, 0, n);
        }
    }
}
