package dev.driftless.gateway;

import dev.driftless.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a rolling update needs from the gateway: an atomic switch, and a drain it can wait for. */
class GatewayRolloutTest {
    @TempDir
    Path data;

    @Test
    void switchingTheRouteUnderLoadLosesNoRequestAndTheOldBackendDrains() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (GatewayHarness harness = new GatewayHarness(data, UnaryOperator.identity())) {
            FunctionAddress address = new FunctionAddress("alice", "hello");
            FunctionServer v1 = harness.function("alice", "hello", "v1");
            Backend old = harness.routes.lookup(address).orElseThrow();
            AtomicBoolean running = new AtomicBoolean(true);
            List<String> failures = new CopyOnWriteArrayList<>();
            Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
            List<Future<?>> loops = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                loops.add(pool.submit(() -> {
                    while (running.get()) {
                        try {
                            RawHttps.Response r = harness.client.get(harness.port(), "alice.localhost", "/hello/sleep?ms=40");
                            if (r.status() != 200) {
                                failures.add(r.status() + " " + r.text());
                            } else {
                                versions.computeIfAbsent(r.text(), v -> new AtomicInteger()).incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }));
            }
            Thread.sleep(800);
            FunctionServer v2 = new FunctionServer(harness.vertx, "v2");
            Backend next = v2.start();
            assertEquals(old, harness.routes.route(address, next).orElseThrow(), "route() returns the replaced backend");
            // The runtime's side of a rollout: wait for the drain, then stop the old instance.
            assertTrue(harness.routes.awaitDrained(old, Duration.ofSeconds(10)));
            assertEquals(0, harness.routes.inFlight(old));
            v1.stop();
            int v2Before = versions.getOrDefault("v2", new AtomicInteger()).get();
            Thread.sleep(800);
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
            v2.stop();
            assertEquals(List.of(), failures, "requests failed during the switch");
            assertTrue(versions.get("v1").get() > 0 && versions.get("v2").get() > v2Before, versions.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void awaitDrainedWaitsForALongRequestOnTheOldBackend() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (GatewayHarness harness = new GatewayHarness(data, UnaryOperator.identity())) {
            FunctionAddress address = new FunctionAddress("alice", "hello");
            harness.function("alice", "hello", "v1");
            Backend old = harness.routes.lookup(address).orElseThrow();
            Future<RawHttps.Response> slow = pool.submit(() ->
                    harness.client.get(harness.port(), "alice.localhost", "/hello/sleep?ms=1500"));
            Await.until("the slow request in flight on the old backend", () -> harness.routes.inFlight(old) > 0);
            harness.function("alice", "hello", "v2"); // routes the address to a new backend
            assertFalse(harness.routes.awaitDrained(old, Duration.ofMillis(200)), "still one request in flight");
            assertEquals("v2", new io.vertx.core.json.JsonObject(
                    harness.client.get(harness.port(), "alice.localhost", "/hello").text()).getString("version"));
            assertTrue(harness.routes.awaitDrained(old, Duration.ofSeconds(10)));
            RawHttps.Response finished = slow.get(10, TimeUnit.SECONDS);
            assertEquals(200, finished.status());
            assertEquals("v1", finished.text(), "the request that started on v1 ended on v1");
            harness.routes.unroute(address);
            assertEquals(404, harness.client.get(harness.port(), "alice.localhost", "/hello").status());
        } finally {
            pool.shutdownNow();
        }
    }
}
