package dev.driftless.reliability;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak (long form only: {@code reliability/run-long.sh}; the normal build excludes it): one daemon JVM for
 * {@code -Dreliability.soakMinutes} (30 by default) under mixed load: a push every minute, the function called
 * all the time, badge and {@code /metrics} read every few seconds. Every 30 s it samples the daemon's heap
 * right after a full GC ({@code jcmd <pid> GC.run}, then {@code jvm_memory_used_bytes{area="heap"}}) and its open file descriptors
 * ({@code /proc/<pid>/fd}) into {@code target/reliability/soak.tsv}. At the end: every push deployed, heap and
 * descriptors flat (the last quarter's median within 1.5 times the second quarter's, plus a small allowance).
 */
class SoakTest {
    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"} ([0-9.eE+]+)$");
    private DaemonProcess daemon;
    private ServingMonitor monitor;

    @AfterEach
    void stop() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void mixedLoadKeepsHeapAndDescriptorsFlatAndLosesNothing() throws Exception {
        Duration length = Duration.ofMinutes(Integer.getInteger("reliability.soakMinutes", 30));
        Path dir = Files.createDirectories(Path.of(System.getProperty("reliability.results", "target/reliability"))
                .resolve("soak-" + System.currentTimeMillis()));
        int httpPort = freePort();
        int httpsPort = freePort();
        Map<String, String> env = DaemonProcess.environment(dir.resolve("data"), httpPort, httpsPort);
        env.put("DRIFTLESS_RESYNC_INTERVAL", "2m");
        daemon = new DaemonProcess(env, dir.resolve("daemon.log"), httpPort);
        String token = daemon.runCommand("token", "create", "alice");
        assertTrue(daemon.start(Duration.ofMinutes(2)), "daemon started");
        Path work = Files.createDirectories(dir.resolve("work"));
        Git git = new Git(work, token);
        Files.writeString(work.resolve("stack.yml"), "provider:\n  name: openfaas\nfunctions:\n  soak:\n    lang: python3\n"
                + "    handler: ./soak\n");
        Files.createDirectories(work.resolve("soak"));
        Files.writeString(work.resolve("soak/requirements.txt"), "");
        git.run("init", "-q", "-b", "main");
        String remote = "http://127.0.0.1:" + httpPort + "/git/alice/soak.git";
        monitor = new ServingMonitor(dir.resolve("data/tls/ca.pem"),
                Map.of("soak", "https://localhost:" + httpsPort + "/f/alice/soak"));

        Path samples = dir.getParent().resolve("soak.tsv");
        Files.writeString(samples, "seconds\theap_bytes\topen_fds\tversion_served\n", StandardCharsets.UTF_8);
        List<double[]> points = new ArrayList<>();
        Instant start = Instant.now();
        Instant end = start.plus(length);
        int version = 0;
        int pushes = 0;
        int serverErrors = 0;
        Instant nextPush = start;
        Instant nextSample = start.plusSeconds(30);
        while (Instant.now().isBefore(end)) {
            if (!Instant.now().isBefore(nextPush)) {
                version++;
                Files.writeString(work.resolve("soak/handler.py"), "def handle(req):\n    return \"v" + version + "\"\n");
                git.run("add", "-A");
                git.run("commit", "-q", "-m", "v" + version);
                git.run("push", "-q", remote, "main");
                pushes++;
                nextPush = Instant.now().plusSeconds(60);
            }
            for (String path : List.of("/badge/alice/soak.svg", "/metrics", "/readyz")) {
                if (daemon.get(path).statusCode() >= 500) {
                    serverErrors++;
                }
            }
            if (!Instant.now().isBefore(nextSample)) {
                fullGc(); // the live set, not garbage that a lazy collector has not collected yet
                double heap = heap();
                long fds;
                try (Stream<Path> open = Files.list(Path.of("/proc", String.valueOf(daemon.pid()), "fd"))) {
                    fds = open.count();
                }
                long seconds = Duration.between(start, Instant.now()).toSeconds();
                OptionalInt served = monitor.current("soak");
                points.add(new double[] {seconds, heap, fds});
                Files.writeString(samples, seconds + "\t" + (long) heap + "\t" + fds + "\t" + served + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                nextSample = Instant.now().plusSeconds(30);
            }
            assertTrue(daemon.alive(), "the daemon died:\n" + daemon.logText());
            Thread.sleep(2000);
        }
        int wanted = version;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (!monitor.current("soak").equals(OptionalInt.of(wanted)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
        }
        int lost = monitor.current("soak").equals(OptionalInt.of(wanted)) ? 0 : 1;
        int n = points.size();
        boolean heapFlat = n < 8 || flat(points, 1, n, 16 * 1024 * 1024);
        boolean fdsFlat = n < 8 || flat(points, 2, n, 20);
        int crashes = monitor.regressions().size() + (heapFlat ? 0 : 1) + (fdsFlat ? 0 : 1);
        new Figures("soak " + length.toMinutes() + " min (H2)", pushes + (int) monitor.answers(), 0, pushes, lost, 0,
                serverErrors, crashes, monitor.answers() + " function answers, " + pushes + " pushes; heap "
                + (heapFlat ? "flat" : "GREW") + ", fds " + (fdsFlat ? "flat" : "GREW") + " (samples in soak.tsv)"
                + (monitor.regressions().isEmpty() ? "" : "; " + monitor.regressions())).recordAndCheck();
        daemon.stop();
    }

    /** The last quarter's median is within 1.5 times the second quarter's, plus {@code slack}. */
    private static boolean flat(List<double[]> points, int column, int n, double slack) {
        double early = median(points.subList(n / 4, n / 2), column);
        double late = median(points.subList(3 * n / 4, n), column);
        return late <= early * 1.5 + slack;
    }

    private static double median(List<double[]> points, int column) {
        double[] values = points.stream().mapToDouble(p -> p[column]).sorted().toArray();
        return values[values.length / 2];
    }

    /** {@code jcmd <pid> GC.run}: a full collection in the daemon, so that the heap sample is what stays alive. */
    private void fullGc() throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(daemon.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            gc.destroyForcibly();
        }
    }

    private double heap() throws Exception {
        Matcher m = HEAP.matcher(daemon.get("/metrics").body());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
