package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.testsupport.Await;
import dev.driftless.testsupport.RealComponent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory and cpu limits on real processes under real bubblewrap, in real cgroups of this machine (v1 or v2,
 * whichever {@link CgroupLimits#detect} finds writable). Without a writable hierarchy the tests skip, or fail
 * under {@code CI=true} as a missing real component does.
 */
class LocalRuntimeLimitsTest {
    private static final long MI = 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path data;

    private TestImages images;
    private LeasingRouteTable routes;
    private LocalRuntime runtime;

    @BeforeEach
    void start() {
        Path bwrap = Path.of(RealComponent.BWRAP.require());
        requireCgroups();
        images = TestImages.shared();
        routes = new LeasingRouteTable();
        runtime = new LocalRuntime(LocalRuntimeSettings.defaults(data)
                .withBubblewrap(Optional.of(bwrap))
                .withHealthTimeout(Duration.ofSeconds(30))
                .withDrainTimeout(Duration.ofSeconds(5))
                .withStopGrace(Duration.ofSeconds(2))
                .withRestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5)),
                images, routes);
    }

    /** Writable memory and cpu cgroups are a real component of these tests: skipped outside CI, failed in it. */
    private static void requireCgroups() {
        CgroupLimits limits = CgroupLimits.detect();
        if (!limits.limitsMemory() || !limits.limitsCpu()) {
            String message = "no writable memory and cpu cgroups: " + limits.describe();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message + "; under CI=true a missing real component is a failure");
            }
            Assumptions.abort(message);
        }
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aFunctionOverItsMemoryLimitIsKilledAndTheReasonSaysOutOfMemoryWhileOneWithoutALimitStarts()
            throws Exception {
        RolloutResult limited = runtime.deploy(deployment("alice", "hog", images.hog,
                resources(Optional.empty(), Optional.of(64 * MI), Optional.empty(), Optional.empty())));

        assertEquals(RolloutResult.Outcome.FAILED, limited.outcome(), limited::toString);
        assertEquals("OOMKilled", limited.reason(), limited::toString);
        assertTrue(limited.message().contains("was killed: out of memory (limit 64Mi)"), limited.message());
        assertTrue(limited.lastLogLines().contains("allocating 300 MB"), limited.lastLogLines()::toString);
        assertFalse(limited.lastLogLines().contains("allocated 300 MB"), limited.lastLogLines()::toString);
        assertTrue(runtime.recentLogs("alice", "hog", 50).contains("--- driftless: killed: out of memory (limit 64Mi) ---"),
                runtime.recentLogs("alice", "hog", 50)::toString);

        RolloutResult unlimited = runtime.deploy(deployment("alice", "hog", images.hog, FunctionDeployment.Resources.none()));

        assertEquals(RolloutResult.Outcome.ROLLED_OUT, unlimited.outcome(), unlimited::toString);
        assertTrue(runtime.recentLogs("alice", "hog", 50).contains("allocated 300 MB"));
    }

    @Test
    void aRunningInstanceIsInACgroupWithItsLimitsWrittenWhichIsGoneAfterRemoval() throws Exception {
        RolloutResult result = runtime.deploy(deployment("alice", "hello", images.v1,
                resources(Optional.of(32 * MI), Optional.of(64 * MI), Optional.of(50L), Optional.of(100L))));
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertTrue(result.message().contains("limited to memory 64Mi, cpu 100m"), result.message());

        CgroupLimits.Group group = runtime.cgroup("alice", "hello").orElseThrow();
        Path memory = group.memoryFolder().orElseThrow();
        Path cpu = group.cpuFolder().orElseThrow();
        assertTrue(memory.getFileName().toString().startsWith("driftless-"), memory::toString);
        boolean v2 = Files.exists(memory.resolve("memory.max"));
        if (v2) {
            assertEquals(Long.toString(64 * MI), read(memory.resolve("memory.max")));
            assertEquals("10000 100000", read(cpu.resolve("cpu.max")));
            assertEquals(Long.toString(32 * MI), read(memory.resolve("memory.low")));
        } else {
            assertEquals(Long.toString(64 * MI), read(memory.resolve("memory.limit_in_bytes")));
            assertEquals("10000", read(cpu.resolve("cpu.cfs_quota_us")));
            assertEquals("100000", read(cpu.resolve("cpu.cfs_period_us")));
            assertEquals(Long.toString(32 * MI), read(memory.resolve("memory.soft_limit_in_bytes")));
            assertEquals("51", read(cpu.resolve("cpu.shares")));
        }
        // Every process of the instance is inside: bubblewrap, its init and the function.
        long pid = runtime.pid("alice", "hello").orElseThrow();
        List<String> inside = Files.readAllLines(memory.resolve("cgroup.procs"));
        assertTrue(inside.contains(Long.toString(pid)), inside::toString);
        ProcessHandle.of(pid).orElseThrow().descendants().forEach(p ->
                assertTrue(inside.contains(Long.toString(p.pid())), p + " outside the cgroup: " + inside));
        assertTrue(Files.readAllLines(cpu.resolve("cgroup.procs")).contains(Long.toString(pid)));

        runtime.remove("alice", "fns", "hello");

        Await.until("the instance's cgroup to be removed", () -> !Files.exists(memory) && !Files.exists(cpu));
    }

    @Test
    void anInstanceKilledForMemoryWhileServingIsRestartedAndItsLogSaysWhy() throws Exception {
        RolloutResult result = runtime.deploy(deployment("alice", "hello", images.v1,
                resources(Optional.empty(), Optional.of(64 * MI), Optional.empty(), Optional.empty())));
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
        long pid = runtime.pid("alice", "hello").orElseThrow();
        Path before = runtime.cgroup("alice", "hello").orElseThrow().memoryFolder().orElseThrow();

        Backend backend = routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow();
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create("http://" + backend.host() + ":" + backend.port()
                    + "/_/hog?mb=300")).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // The connection dies with the process.
        }

        String restarted = "--- driftless: instance was killed: out of memory (limit 64Mi), restarting ---";
        Await.until("an instance restarted after the kill", () -> runtime.pid("alice", "hello").filter(p -> p != pid)
                .isPresent() && runtime.recentLogs("alice", "hello", 50).contains(restarted));
        Await.until("the killed instance's cgroup to be removed", () -> !Files.exists(before));
    }

    @Test
    void aPlainProcessWithoutBubblewrapIsLimitedTheSameWay() throws Exception {
        runtime.close();
        runtime = new LocalRuntime(LocalRuntimeSettings.defaults(data).withBubblewrap(Optional.empty())
                .withHealthTimeout(Duration.ofSeconds(30)).withStopGrace(Duration.ofSeconds(2)), images, routes);

        RolloutResult limited = runtime.deploy(deployment("alice", "hog", images.hog,
                resources(Optional.empty(), Optional.of(64 * MI), Optional.empty(), Optional.of(100L))));
        RolloutResult hello = runtime.deploy(deployment("alice", "hello", images.v1,
                resources(Optional.empty(), Optional.of(64 * MI), Optional.empty(), Optional.of(100L))));

        assertEquals("OOMKilled", limited.reason(), limited::toString);
        assertTrue(limited.message().contains("was killed: out of memory (limit 64Mi)"), limited.message());
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, hello.outcome(), hello::toString);
        CgroupLimits.Group group = runtime.cgroup("alice", "hello").orElseThrow();
        long pid = runtime.pid("alice", "hello").orElseThrow();
        assertTrue(Files.readAllLines(group.memoryFolder().orElseThrow().resolve("cgroup.procs"))
                .contains(Long.toString(pid)));
        assertTrue(Files.readAllLines(group.cpuFolder().orElseThrow().resolve("cgroup.procs"))
                .contains(Long.toString(pid)));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    private static FunctionDeployment.Resources resources(Optional<Long> memoryRequest, Optional<Long> memoryLimit,
                                                          Optional<Long> cpuRequest, Optional<Long> cpuLimit) {
        return new FunctionDeployment.Resources(memoryRequest, memoryLimit, cpuRequest, cpuLimit);
    }

    private static FunctionDeployment deployment(String owner, String function, String image,
                                                 FunctionDeployment.Resources resources) {
        return new FunctionDeployment(owner, "fns", function, image, "c1", 1, Map.of(), List.of(), Map.of(), Map.of(),
                resources, true);
    }
}
