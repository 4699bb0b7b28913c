package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.builder.ImageContents;
import dev.driftless.builder.ImageRef;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.testsupport.RealComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceTest {
    @TempDir
    Path data;

    @Test
    void stopGivesTheFunctionItsSigtermUnderBubblewrapAndEndsTheWholeTree() throws Exception {
        Path bwrap = Path.of(RealComponent.BWRAP.require());
        TestImages images = TestImages.shared();
        ImageContents image = images.read(ImageRef.parse(images.v1));
        Path root = new ImageUnpacker(data.resolve("roots")).unpack(image);
        Launch launch = new LaunchPlanner(data.resolve("secrets"), SecretValues.none()).plan(image, root,
                new FunctionDeployment("alice", "fns", "hello", images.v1, "c1", 1, Map.of(), List.of(), Map.of(),
                        Map.of(), FunctionDeployment.Resources.none(), true));
        Launcher launcher = new Launcher(new Bubblewrap(bwrap), Duration.ofSeconds(10), Duration.ofSeconds(5), 100);
        Launcher.Attempt attempt = launcher.launch(launch, launcher.freePort(), List.of());
        assertTrue(attempt.healthy(), attempt::toString);
        Instance instance = attempt.instance();
        List<ProcessHandle> tree = ProcessHandle.of(instance.pid()).orElseThrow().descendants().toList();
        assertEquals(2, tree.size(), "bubblewrap's init and the function: " + tree);

        long began = System.nanoTime();
        instance.stop(Duration.ofSeconds(30));

        assertTrue(instance.logs().last(10).contains("stopping on SIGTERM"), instance.logs().last(10)::toString);
        assertEquals(0, instance.exitCode(), "the function exited by itself, bubblewrap passed its status on");
        assertTrue(Duration.ofNanos(System.nanoTime() - began).compareTo(Duration.ofSeconds(20)) < 0,
                "no waiting out the 30 s grace before SIGKILL");
        tree.forEach(p -> assertFalse(p.isAlive(), p + " outlived stop()"));
        launcher.close();
    }

    @Test
    void backoffDoublesUpToItsLimit() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60));

        List<Long> delays = java.util.stream.IntStream.rangeClosed(1, 9)
                .mapToObj(n -> backoff.delay(n).toSeconds()).toList();

        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L), delays);
    }
}
