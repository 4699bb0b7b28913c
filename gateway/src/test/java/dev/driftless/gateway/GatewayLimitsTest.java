package dev.driftless.gateway;

import dev.driftless.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 429 answers with Retry-After: per-client rate, per-client concurrency, per-function rate. */
class GatewayLimitsTest {
    /** The token buckets' time: it moves only when a test moves it, however slow the requests are. */
    private final java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();

    @TempDir
    Path data;

    @Test
    void aClientOverItsRateGets429WithRetryAfter() throws Exception {
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.clientRateLimit(60, 3).ticker(ticker::get))) {
            harness.function("alice", "hello", "v1");
            for (int i = 0; i < 3; i++) {
                assertEquals(200, harness.client.get(harness.port(), "alice.localhost", "/hello").status());
            }
            RawHttps.Response limited = harness.client.get(harness.port(), "alice.localhost", "/hello");
            assertEquals(429, limited.status());
            assertEquals("{\"error\":\"too many requests\"}", limited.text());
            int retryAfter = Integer.parseInt(limited.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "one token per second: Retry-After " + retryAfter);
            ticker.addAndGet(retryAfter * 1_000_000_000L); // the buckets' clock: no refill from a slow machine
            assertEquals(200, harness.client.get(harness.port(), "alice.localhost", "/hello").status(),
                    "after Retry-After the client is served again");
        }
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBucket() throws Exception {
        TrustedProxies ingress = TrustedProxies.of(List.of(TrustedProxies.Range.parse("127.0.0.0/8")));
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.clientRateLimit(60, 2).trustedProxies(ingress).ticker(ticker::get))) {
            harness.function("alice", "hello", "v1");
            for (int i = 0; i < 2; i++) {
                assertEquals(200, via(harness, "203.0.113.1").status());
            }
            assertEquals(429, via(harness, "203.0.113.1").status(), "the first client used its burst");
            RawHttps.Response other = via(harness, "203.0.113.2");
            assertEquals(200, other.status(), "another client behind the same Ingress is still served");
            assertEquals("203.0.113.2, 127.0.0.1", new io.vertx.core.json.JsonObject(other.text())
                    .getJsonObject("headers").getString("x-forwarded-for"), "the function sees the client, then the proxy");
        }
    }

    @Test
    void withoutTrustedProxiesAForgedForwardedForDoesNotEscapeTheLimit() throws Exception {
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.clientRateLimit(60, 2).ticker(ticker::get))) {
            harness.function("alice", "hello", "v1");
            assertEquals(200, via(harness, "203.0.113.1").status());
            assertEquals(200, via(harness, "203.0.113.2").status());
            assertEquals(429, via(harness, "203.0.113.3").status(), "one peer, one bucket, whatever it claims");
        }
    }

    private static RawHttps.Response via(GatewayHarness harness, String forwardedFor) throws Exception {
        return harness.client.send(harness.port(), "alice.localhost", "GET /hello HTTP/1.1\r\nHost: alice.localhost\r\n"
                + "X-Forwarded-For: " + forwardedFor + "\r\nConnection: close\r\n\r\n", null);
    }

    @Test
    void aClientOverItsConcurrentRequestsGets429() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.clientMaxConcurrent(2))) {
            harness.function("alice", "hello", "v1");
            Backend backend = harness.routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow();
            List<Future<RawHttps.Response>> slow = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                slow.add(pool.submit(() -> harness.client.get(harness.port(), "alice.localhost", "/hello/sleep?ms=1500")));
            }
            Await.until("two requests in flight", () -> harness.routes.inFlight(backend) >= 2);
            assertEquals(2, harness.routes.inFlight(backend));
            RawHttps.Response third = harness.client.get(harness.port(), "alice.localhost", "/hello");
            assertEquals(429, third.status());
            assertEquals("1", third.header("Retry-After"));
            for (Future<RawHttps.Response> response : slow) {
                assertEquals(200, response.get().status());
            }
            assertEquals(200, harness.client.get(harness.port(), "alice.localhost", "/hello").status());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFunctionOverItsRateGets429WhileOthersAreServed() throws Exception {
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.functionRateLimit(30, 2).ticker(ticker::get))) {
            harness.function("alice", "hello", "v1");
            harness.function("alice", "other", "v1");
            assertEquals(200, harness.client.get(harness.port(), "alice.localhost", "/hello").status());
            assertEquals(200, harness.client.get(harness.port(), "localhost", "/f/alice/hello").status());
            RawHttps.Response limited = harness.client.get(harness.port(), "alice.localhost", "/hello");
            assertEquals(429, limited.status());
            int retryAfter = Integer.parseInt(limited.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "one token per 2 s: Retry-After " + retryAfter);
            assertEquals(200, harness.client.get(harness.port(), "alice.localhost", "/other").status());
            assertTrue(harness.metricsText().contains(
                    "driftless_gateway_requests_total{code=\"4xx\",function=\"hello\",owner=\"alice\"} 1.0"));
        }
    }
}
