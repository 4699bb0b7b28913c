package dev.driftless.reconciler.app;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the gateway learns from deployments: Service routes (Kubernetes), owner hostnames, exec_timeout. */
class RoutedRuntimeTest {
    private static final String IMAGE = "r/alice/fns/hello@sha256:" + "a".repeat(64);

    /** A delegate whose rollouts succeed or fail as told: the decorator's behaviour is what is under test. */
    private static final class ScriptedRuntime implements FunctionRuntime {
        boolean fail;
        final List<String> removed = new ArrayList<>();

        @Override
        public String kind() {
            return "scripted";
        }

        @Override
        public RolloutResult deploy(FunctionDeployment deployment) {
            return fail
                    ? new RolloutResult(RolloutResult.Outcome.FAILED, "CrashLoopBackOff", "boom", Duration.ZERO, List.of())
                    : new RolloutResult(RolloutResult.Outcome.ROLLED_OUT, "RolloutSucceeded", "ok", Duration.ZERO, List.of());
        }

        @Override
        public List<DeployedFunction> list(String owner, String repository) {
            return List.of();
        }

        @Override
        public List<DeployedFunction> listOwner(String owner) {
            return List.of();
        }

        @Override
        public void remove(String owner, String repository, String function) {
            removed.add(owner + "/" + function);
        }

        @Override
        public List<String> recentLogs(String owner, String function, int maxLines) {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void servedFunctionsAreRoutedTheirOwnersCoveredAndTheirTimeoutsKnown() throws Exception {
        ScriptedRuntime delegate = new ScriptedRuntime();
        InMemoryRouteTable routes = new InMemoryRouteTable();
        FunctionTimeouts timeouts = new FunctionTimeouts();
        List<String> covered = new ArrayList<>();
        RoutedRuntime runtime = new RoutedRuntime(delegate,
                Optional.of((owner, function) -> URI.create("http://" + function + ".fn-" + owner + ".svc:8080")),
                routes, owner -> covered.add(owner), timeouts);
        FunctionAddress hello = new FunctionAddress("alice", "hello");

        runtime.deploy(deployment(Map.of("exec_timeout", "2m")));
        runtime.deploy(deployment(Map.of("exec_timeout", "2m")));

        assertEquals(Optional.of(new Backend("hello.fn-alice.svc", 8080, IMAGE)), routes.lookup(hello));
        assertEquals(List.of("alice"), covered, "an owner's hostname is covered once");
        assertEquals(Optional.of(Duration.ofMinutes(2)), timeouts.lookup(hello));

        runtime.deploy(deployment(Map.of()));
        assertTrue(timeouts.lookup(hello).isEmpty(), "no exec_timeout any more: the gateway's default applies");

        delegate.fail = true;
        runtime.deploy(deployment(Map.of("exec_timeout", "5s")));
        assertTrue(timeouts.lookup(hello).isEmpty(), "a failed rollout teaches the gateway nothing");

        runtime.remove("alice", "fns", "hello");
        assertEquals(List.of("alice/hello"), delegate.removed);
        assertTrue(routes.lookup(hello).isEmpty());
    }

    /** The gateway's table, recording writes: a pass that changes nothing can be told from one that rewrites all. */
    private static final class CountingRoutes implements dev.driftless.gateway.RouteTable {
        final List<String> writes = new ArrayList<>();
        private final InMemoryRouteTable table = new InMemoryRouteTable();

        @Override
        public Optional<Backend> lookup(FunctionAddress address) {
            return table.lookup(address);
        }

        @Override
        public Optional<Backend> route(FunctionAddress address, Backend backend) {
            writes.add("route " + address.owner() + "/" + address.function() + " " + backend.version());
            return table.route(address, backend);
        }

        @Override
        public Optional<Backend> unroute(FunctionAddress address) {
            writes.add("unroute " + address.owner() + "/" + address.function());
            return table.unroute(address);
        }

        @Override
        public boolean awaitDrained(Backend backend, Duration timeout) throws InterruptedException {
            return table.awaitDrained(backend, timeout);
        }
    }

    @Test
    void aReplicaFollowsWhatTheOthersDeployedRolledBackAndPruned() throws Exception {
        CountingRoutes routes = new CountingRoutes();
        FunctionTimeouts timeouts = new FunctionTimeouts();
        List<String> covered = new ArrayList<>();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
        RoutedRuntime runtime = new RoutedRuntime(new ScriptedRuntime(),
                Optional.of((owner, function) -> URI.create("http://" + function + ".fn-" + owner + ".svc:8080")),
                routes, covered::add, timeouts, clock);
        FunctionAddress hello = new FunctionAddress("alice", "hello");
        FunctionAddress bye = new FunctionAddress("bob", "bye");
        String older = "r/alice/fns/hello@sha256:" + "c".repeat(64);

        // Another replica deployed both: this one learns them from the store.
        runtime.follow(List.of(deployment("alice", "hello", IMAGE, Map.of("exec_timeout", "90s")),
                deployment("bob", "bye", IMAGE, Map.of())));
        assertEquals(Optional.of(new Backend("hello.fn-alice.svc", 8080, IMAGE)), routes.lookup(hello));
        assertEquals(Optional.of(new Backend("bye.fn-bob.svc", 8080, IMAGE)), routes.lookup(bye));
        assertEquals(Optional.of(Duration.ofSeconds(90)), timeouts.lookup(hello));
        assertEquals(List.of("alice", "bob"), covered);

        // Nothing changed: nothing written.
        int writes = routes.writes.size();
        runtime.follow(List.of(deployment("alice", "hello", IMAGE, Map.of("exec_timeout", "90s")),
                deployment("bob", "bye", IMAGE, Map.of())));
        assertEquals(writes, routes.writes.size(), routes.writes.toString());

        // Rolled back elsewhere (older image), bob's function pruned elsewhere.
        runtime.follow(List.of(deployment("alice", "hello", older, Map.of())));
        assertEquals(Optional.of(new Backend("hello.fn-alice.svc", 8080, older)), routes.lookup(hello));
        assertTrue(timeouts.lookup(hello).isEmpty());
        assertTrue(routes.lookup(bye).isEmpty(), "pruned by another replica: 404 here too");

        // Deployed here a moment ago, not recorded in the store yet: the route stays until the grace ends.
        FunctionAddress fresh = new FunctionAddress("alice", "fresh");
        runtime.deploy(deployment("alice", "fresh", IMAGE, Map.of()));
        runtime.follow(List.of(deployment("alice", "hello", older, Map.of())));
        assertTrue(routes.lookup(fresh).isPresent(), "a rollout not recorded yet keeps its route");
        clock.advance(RoutedRuntime.RECORDING_GRACE.plusSeconds(1));
        runtime.follow(List.of(deployment("alice", "hello", older, Map.of())));
        assertTrue(routes.lookup(fresh).isEmpty(), "never recorded (the rollout was not kept): forgotten");
    }

    @Test
    void runtimesThatRouteThemselvesIgnoreTheStore() throws Exception {
        CountingRoutes routes = new CountingRoutes();
        RoutedRuntime runtime = new RoutedRuntime(new ScriptedRuntime(), Optional.empty(), routes, owner -> true,
                new FunctionTimeouts());

        runtime.follow(List.of(deployment("alice", "hello", IMAGE, Map.of())));

        assertEquals(List.of(), routes.writes);
    }

    @Test
    void execTimeoutReadsLikeOpenFaas() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), FunctionTimeouts.parse("30s"));
        assertEquals(Optional.of(Duration.ofSeconds(45)), FunctionTimeouts.parse("45"));
        assertEquals(Optional.of(Duration.ofSeconds(90)), FunctionTimeouts.parse("1m30s"));
        assertEquals(Optional.of(Duration.ofMinutes(15)), FunctionTimeouts.parse("15m"));
        for (String bad : new String[] {"", "0", "0s", "16m", "1h", "soon", "-5s", "5 s"}) {
            assertTrue(FunctionTimeouts.parse(bad).isEmpty(), bad);
        }
    }

    private static FunctionDeployment deployment(Map<String, String> environment) {
        return deployment("alice", "hello", IMAGE, environment);
    }

    private static FunctionDeployment deployment(String owner, String function, String image,
                                                 Map<String, String> environment) {
        return new FunctionDeployment(owner, "fns", function, image, "b".repeat(40), 1, environment, List.of(),
                Map.of(), Map.of(), FunctionDeployment.Resources.none(), true);
    }
}
