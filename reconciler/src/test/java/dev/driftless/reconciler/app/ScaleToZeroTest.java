package dev.driftless.reconciler.app;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decorator's rules, with a runtime that records calls and a clock the test moves. */
class ScaleToZeroTest {
    private static final FunctionAddress HELLO = new FunctionAddress("alice", "hello");

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final InMemoryRouteTable routes = new InMemoryRouteTable();
    private final Recording runtime = new Recording(routes);
    private final Map<FunctionAddress, Long> lastRequest = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final ScaleToZero.Activity activity = new ScaleToZero.Activity() {
        @Override
        public Optional<Long> lastRequestNanos(FunctionAddress address) {
            return Optional.ofNullable(lastRequest.get(address));
        }

        @Override
        public int inFlight(FunctionAddress address) {
            return inFlight.get();
        }
    };

    private ScaleToZero scaling(boolean byDefault) {
        return new ScaleToZero(runtime, activity, new ScaleToZero.Policy(byDefault, Duration.ofMinutes(15)),
                new PrometheusRegistry(), now::get);
    }

    @Test
    void labelledFunctionSleepsAfterItsDurationAndAResyncDoesNotWakeIt() throws Exception {
        ScaleToZero scaling = scaling(false);
        FunctionDeployment v1 = deployment(1, Map.of(ScaleToZero.LABEL, "true", ScaleToZero.DURATION_LABEL, "30s"));
        scaling.deploy(v1);
        advance(Duration.ofSeconds(29));
        scaling.sleepIdle();
        assertFalse(scaling.asleep("alice", "hello"), "not idle long enough");

        advance(Duration.ofSeconds(2));
        scaling.sleepIdle();
        assertTrue(scaling.asleep("alice", "hello"));
        assertEquals(List.of("deploy 1", "remove"), runtime.calls);
        assertEquals(List.of(new DeployedFunction("alice", "fns", "hello", v1.image(), "c1", 1, 0, 0)),
                scaling.list("alice", "fns"), "still listed, so neither prune nor drift repair touches it");

        assertEquals(RolloutResult.Outcome.UNCHANGED, scaling.deploy(v1).outcome(), "a resync with the same state");
        assertEquals(List.of("deploy 1", "remove"), runtime.calls, "did not wake it");
    }

    @Test
    void aRequestResetsTheIdleClockAndRequestsInFlightKeepItAwake() throws Exception {
        ScaleToZero scaling = scaling(true);
        scaling.deploy(deployment(1, Map.of()));
        advance(Duration.ofMinutes(10));
        lastRequest.put(HELLO, now.get());
        advance(Duration.ofMinutes(10));
        scaling.sleepIdle();
        assertFalse(scaling.asleep("alice", "hello"), "a request 10 minutes ago, default idle 15 minutes");

        inFlight.set(1);
        advance(Duration.ofMinutes(20));
        scaling.sleepIdle();
        assertFalse(scaling.asleep("alice", "hello"), "a long request is still running");
        inFlight.set(0);
        scaling.sleepIdle();
        assertTrue(scaling.asleep("alice", "hello"));
    }

    @Test
    void withoutTheLabelAndOffByDefaultItNeverSleeps() throws Exception {
        ScaleToZero scaling = scaling(false);
        scaling.deploy(deployment(1, Map.of()));
        scaling.deploy(deployment(2, Map.of(ScaleToZero.LABEL, "false")));
        advance(Duration.ofDays(1));
        scaling.sleepIdle();
        assertFalse(scaling.asleep("alice", "hello"));
        assertEquals(Optional.empty(), scaling.wake(HELLO), "a function that is not asleep is not woken: 404");
    }

    @Test
    void concurrentWakesShareOneStartAndAPushWhileAsleepDeploysTheNewVersion() throws Exception {
        ScaleToZero scaling = scaling(true);
        scaling.deploy(deployment(1, Map.of()));
        advance(Duration.ofMinutes(16));
        scaling.sleepIdle();
        runtime.holdDeploys = new CountDownLatch(1);
        List<CompletionStage<Void>> wakes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            wakes.add(scaling.wake(HELLO).orElseThrow());
        }
        runtime.holdDeploys.countDown();
        for (CompletionStage<Void> wake : wakes) {
            wake.toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertSame(wakes.get(0), wake, "one start shared by every first request");
        }
        assertEquals(List.of("deploy 1", "remove", "deploy 1"), runtime.calls);
        assertFalse(scaling.asleep("alice", "hello"));

        advance(Duration.ofMinutes(16));
        scaling.sleepIdle();
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, scaling.deploy(deployment(2, Map.of())).outcome());
        assertFalse(scaling.asleep("alice", "hello"), "a new version starts, and sleeps again once idle");
        assertEquals("deploy 2", runtime.calls.get(runtime.calls.size() - 1));
    }

    @Test
    void aFailedWakeFailsTheWaitingRequestsAndStaysAsleep() throws Exception {
        ScaleToZero scaling = scaling(true);
        scaling.deploy(deployment(1, Map.of()));
        advance(Duration.ofMinutes(16));
        scaling.sleepIdle();
        runtime.failDeploys = true;
        var wake = scaling.wake(HELLO).orElseThrow().toCompletableFuture();
        assertTrue(assertThrowsCause(wake).contains("HealthCheckTimeout"));
        assertTrue(scaling.asleep("alice", "hello"), "the next request tries again");
    }

    @Test
    void pruneForgetsASleepingFunction() throws Exception {
        ScaleToZero scaling = scaling(true);
        scaling.deploy(deployment(1, Map.of()));
        advance(Duration.ofMinutes(16));
        scaling.sleepIdle();
        scaling.remove("alice", "fns", "hello");
        assertFalse(scaling.asleep("alice", "hello"));
        assertEquals(List.of(), scaling.listOwner("alice"));
    }

    @Test
    void openFaasDurations() {
        assertEquals(Optional.of(Duration.ofMinutes(15)), dev.driftless.builder.StackDuration.positive("15m"));
        assertEquals(Optional.of(Duration.ofSeconds(90)), dev.driftless.builder.StackDuration.positive("1m30s"));
        assertEquals(Optional.of(Duration.ofSeconds(45)), dev.driftless.builder.StackDuration.positive("45"));
        assertEquals(Optional.empty(), dev.driftless.builder.StackDuration.positive("0"));
        assertEquals(Optional.empty(), dev.driftless.builder.StackDuration.positive("1.5m"));
        assertEquals(Optional.empty(), dev.driftless.builder.StackDuration.positive("soon"));
    }

    private static String assertThrowsCause(java.util.concurrent.CompletableFuture<Void> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause().getMessage();
        }
        throw new AssertionError("the wake should have failed");
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    private static FunctionDeployment deployment(int release, Map<String, String> labels) {
        return new FunctionDeployment("alice", "fns", "hello", "registry/alice/fns/hello@sha256:" + release,
                "c" + release, release, Map.of(), List.of(), labels, Map.of(), FunctionDeployment.Resources.none(), true);
    }

    /** Routes its one function like the local runtime does, and records what it was asked. */
    private static final class Recording implements FunctionRuntime {
        final List<String> calls = new ArrayList<>();
        final InMemoryRouteTable routes;
        volatile CountDownLatch holdDeploys = new CountDownLatch(0);
        volatile boolean failDeploys;
        private FunctionDeployment running;

        Recording(InMemoryRouteTable routes) {
            this.routes = routes;
        }

        @Override
        public String kind() {
            return "local";
        }

        @Override
        public synchronized RolloutResult deploy(FunctionDeployment deployment) throws InterruptedException {
            holdDeploys.await();
            if (failDeploys) {
                return new RolloutResult(RolloutResult.Outcome.FAILED, "HealthCheckTimeout", "never healthy",
                        Duration.ZERO, List.of());
            }
            if (deployment.equals(running)) {
                return RolloutResult.unchanged();
            }
            calls.add("deploy " + deployment.release());
            running = deployment;
            routes.route(HELLO, new Backend("127.0.0.1", 1000 + deployment.release(), deployment.image()));
            return new RolloutResult(RolloutResult.Outcome.ROLLED_OUT, "RolloutSucceeded", "ok", Duration.ZERO, List.of());
        }

        @Override
        public synchronized List<DeployedFunction> list(String owner, String repository) {
            return running == null ? List.of() : List.of(new DeployedFunction(owner, repository, "hello",
                    running.image(), running.commit(), running.release(), 1, 1));
        }

        @Override
        public List<DeployedFunction> listOwner(String owner) {
            return list(owner, "fns");
        }

        @Override
        public synchronized void remove(String owner, String repository, String function) {
            if (running != null) {
                calls.add("remove");
                running = null;
                routes.unroute(HELLO);
            }
        }

        @Override
        public List<String> recentLogs(String owner, String function, int maxLines) {
            return List.of();
        }

        @Override
        public void close() {
        }
    }
}
