package dev.driftless.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request for a function scaled to zero waits at the gateway while it starts, then is served. */
class GatewayWakeTest {
    private static final FunctionAddress HELLO = new FunctionAddress("alice", "hello");

    @TempDir
    Path data;

    @Test
    void requestsWaitForTheWakeAndAreServedByTheNewInstance() throws Exception {
        CompletableFuture<Void> started = new CompletableFuture<>();
        AtomicInteger asked = new AtomicInteger();
        Waker waker = address -> {
            asked.incrementAndGet();
            return address.equals(HELLO) ? Optional.of(started) : Optional.empty();
        };
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.waker(waker))) {
            List<Future<RawHttps.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                calls.add(pool.submit(() -> harness.client.get(harness.port(), "alice.localhost", "/hello/x")));
            }
            // Every request reached the waker and is held.
            dev.driftless.testsupport.Await.until("5 requests to ask the waker", () -> asked.get() >= 5);
            assertTrue(calls.stream().noneMatch(Future::isDone), "held while the function starts");
            harness.function("alice", "hello", "woken"); // what the runtime does when it wakes it: route
            started.complete(null);
            for (Future<RawHttps.Response> call : calls) {
                RawHttps.Response response = call.get(30, TimeUnit.SECONDS);
                assertEquals(200, response.status(), response.text());
                assertTrue(response.text().contains("\"version\":\"woken\""), response.text());
            }
            RawHttps.Response other = harness.client.get(harness.port(), "alice.localhost", "/missing");
            assertEquals(404, other.status(), "a function that is not asleep is not found");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWakeThatFailsIs503AndOneThatTakesTooLongIs504() throws Exception {
        CompletableFuture<Void> failing = CompletableFuture.failedFuture(new IllegalStateException("HealthCheckTimeout"));
        CompletableFuture<Void> never = new CompletableFuture<>();
        Waker waker = address -> Optional.of(address.function().equals("broken") ? failing : never);
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.waker(waker).wakeTimeout(Duration.ofMillis(300)))) {
            RawHttps.Response broken = harness.client.get(harness.port(), "alice.localhost", "/broken");
            assertEquals(503, broken.status(), broken.text());
            assertTrue(broken.text().contains("could not be started"), broken.text());
            RawHttps.Response slow = harness.client.get(harness.port(), "alice.localhost", "/slow");
            assertEquals(504, slow.status(), slow.text());
            assertTrue(slow.text().contains("did not start within"), slow.text());
            assertTrue(harness.metricsText().contains("wake_timeout"), "counted as refused for its reason");
        }
    }
}
