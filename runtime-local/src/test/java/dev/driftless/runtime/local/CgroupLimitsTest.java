package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.testsupport.RealComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link CgroupLimits} finds where it may create cgroups, on folders laid out as cgroupfs would be (the
 * kernel's own behaviour is {@link LocalRuntimeLimitsTest}'s), and a runtime that cannot enforce limits.
 */
class CgroupLimitsTest {
    private static final long MI = 1024 * 1024;

    @TempDir
    Path fs;

    @Test
    void numbersAreWrittenAsTheKubeletWritesThem() {
        assertEquals(10_000, CgroupLimits.quotaMicros(100));
        assertEquals(150_000, CgroupLimits.quotaMicros(1500));
        assertEquals(1_000, CgroupLimits.quotaMicros(1), "the kernel's smallest quota");
        assertEquals(1024, CgroupLimits.shares(1000));
        assertEquals(2, CgroupLimits.shares(1));
        assertEquals(39, CgroupLimits.weight(1000));
        assertEquals("64Mi", CgroupLimits.quantity(64 * MI));
        assertEquals("1Gi", CgroupLimits.quantity(1024 * MI));
        assertEquals("1000000", CgroupLimits.quantity(1_000_000));
    }

    @Test
    void onCgroupV2TheDaemonsCgroupHandsMemoryAndCpuToItsChildren() throws Exception {
        Path scope = Files.createDirectories(fs.resolve("unified/user.slice/app.scope"));
        Files.writeString(scope.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(scope.resolve("cgroup.subtree_control"), "");
        Files.writeString(scope.resolve("cgroup.procs"), "4242\n");
        Path leftover = Files.createDirectories(scope.resolve("driftless-999999999-3-alice-old"));

        CgroupLimits limits = CgroupLimits.detect("0::/user.slice/app.scope\n",
                "35 24 0:30 / " + fs.resolve("unified") + " rw,nosuid,nodev,noexec - cgroup2 cgroup2 rw,nsdelegate\n",
                4242);

        assertEquals("cgroup v2 (memory, cpu)", limits.describe());
        // (Files cannot refuse that write with EBUSY as cgroupfs does, so the move into driftless-daemon is not seen.)
        assertEquals("+memory +cpu", Files.readString(scope.resolve("cgroup.subtree_control")).strip());
        assertFalse(Files.exists(leftover), "an empty cgroup of a daemon that is gone");
    }

    @Test
    void aUserDelegationWithMemoryOnlyLimitsMemoryAndSaysCpuIsNot() throws Exception {
        Path user = Files.createDirectories(fs.resolve("unified/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope"));
        Files.writeString(user.resolve("cgroup.controllers"), "memory pids\n");
        Files.writeString(user.resolve("cgroup.subtree_control"), "");

        CgroupLimits limits = CgroupLimits.detect("0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope\n",
                "35 24 0:30 / " + fs.resolve("unified") + " rw - cgroup2 cgroup2 rw\n", 1);

        assertTrue(limits.limitsMemory());
        assertFalse(limits.limitsCpu());
        assertEquals("+memory", Files.readString(user.resolve("cgroup.subtree_control")).strip());
        assertTrue(limits.describe().startsWith("cgroup v2 (memory); the cgroup2 folder "), limits.describe());
        assertTrue(limits.notEnforced(resources(64 * MI, 100)).orElseThrow().contains("offers no cpu controller"));
    }

    @Test
    void aHybridMachineWithoutV2ControllersUsesTheV1MemoryAndCpuHierarchies() throws Exception {
        Files.createDirectories(fs.resolve("unified"));
        Files.writeString(fs.resolve("unified/cgroup.controllers"), "hugetlb\n");
        Path memory = Files.createDirectories(fs.resolve("memory/process_api/abc"));
        Path cpu = Files.createDirectories(fs.resolve("cpu,cpuacct"));
        String mountinfo = """
                30 24 0:26 / %1$s/unified rw,relatime - cgroup2 cgroup2 rw
                31 24 0:27 / %1$s/memory rw,relatime - cgroup cgroup rw,memory
                32 24 0:28 / %1$s/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
                33 24 0:29 / %1$s/pids rw,relatime - cgroup cgroup rw,pids
                """.formatted(fs);

        CgroupLimits limits = CgroupLimits.detect("4:memory:/process_api/abc\n1:cpu,cpuacct:/\n0::/\n", mountinfo, 1);

        assertEquals("cgroup v1 (memory, cpu)", limits.describe());
        assertTrue(limits.limitsMemory() && limits.limitsCpu());
        assertEquals(Optional.empty(), limits.notEnforced(resources(64 * MI, 100)));
        assertTrue(Files.isDirectory(memory) && Files.isDirectory(cpu));
    }

    @Test
    void withoutAWritableHierarchyNothingIsEnforcedAndTheReasonSaysWhy() {
        String mountinfo = "31 24 0:27 / " + fs + "/memory ro,relatime - cgroup cgroup rw,memory\n";

        CgroupLimits limits = CgroupLimits.detect("4:memory:/\n0::/\n", mountinfo, 1);

        assertFalse(limits.limitsMemory() || limits.limitsCpu());
        assertTrue(limits.describe().startsWith("not enforced: no cgroup2 hierarchy is mounted"), limits.describe());
        assertTrue(limits.notEnforced(resources(64 * MI, 100)).isPresent());
        assertEquals(Optional.empty(), limits.notEnforced(FunctionDeployment.Resources.none()));
        assertEquals(Optional.empty(), limits.create("alice/hello", resources(64 * MI, 100)));
    }

    @Test
    void aFunctionWithLimitsStillDeploysWhereTheyCannotBeEnforcedAndItsReleaseSaysSo(@TempDir Path data)
            throws Exception {
        Path bwrap = Path.of(RealComponent.BWRAP.require());
        TestImages images = TestImages.shared();
        try (LocalRuntime runtime = new LocalRuntime(LocalRuntimeSettings.defaults(data)
                .withBubblewrap(Optional.of(bwrap)).withHealthTimeout(Duration.ofSeconds(30))
                .withStopGrace(Duration.ofSeconds(2)), images, new LeasingRouteTable(),
                CgroupLimits.none("no writable cgroup (test)"))) {
            RolloutResult result = runtime.deploy(new FunctionDeployment("alice", "fns", "hello", images.v1, "c1", 1,
                    Map.of(), List.of(), Map.of(), Map.of(), resources(64 * MI, 100), true));

            assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
            assertTrue(result.message().contains("limits NOT enforced: no writable cgroup (test)"), result.message());
            assertEquals(Optional.empty(), runtime.cgroup("alice", "hello"));
            assertEquals("not enforced: no writable cgroup (test)", runtime.limitsEnforcement());
        }
    }

    private static FunctionDeployment.Resources resources(long memoryLimit, long cpuLimitMillis) {
        return new FunctionDeployment.Resources(Optional.empty(), Optional.of(memoryLimit), Optional.empty(),
                Optional.of(cpuLimitMillis));
    }
}
