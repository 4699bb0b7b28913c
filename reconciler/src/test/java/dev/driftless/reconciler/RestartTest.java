package dev.driftless.reconciler;

import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable before acknowledged: the daemon runs as a real separate process on an H2 file; it answers 202
 * to a signed push, is killed with SIGKILL before any worker ran the job, and the next daemon on the same
 * data folder runs that job exactly once (a redelivery of the same delivery queues nothing more).
 */
class RestartTest {
    private static final String SECRET = "It's a Secret to Everybody";
    private static final String HEAD = "a".repeat(40);
    private static final String MARKER = "b".repeat(40);
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aJobAcknowledgedBeforeAKillRunsExactlyOnceAfterRestart() throws Exception {
        Path data = dir.resolve("data");
        Path record = dir.resolve("ran.txt");
        int port = freePort();
        String body = Webhooks.push("alice", "fns", "main", HEAD);

        // First daemon: intake only (no job workers), so the job cannot run before the kill.
        int httpsPort = freePort();
        Process first = daemon(data, port, httpsPort, 0, record, dir.resolve("first.log"));
        awaitReady(port, first, dir.resolve("first.log"));
        var answer = Webhooks.send(port, SECRET, "push", "delivery-1", body);
        assertEquals(202, answer.statusCode(), answer.body());
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful anything
        assertTrue(first.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, first.exitValue(), "killed by SIGKILL");

        // The daemon's own default store URL for this data folder.
        String h2 = new ConfigLoader(Map.of("DRIFTLESS_DATA", data.toString())).load(Optional.empty()).dbUrl();
        assertEquals(List.of("queued 0 " + HEAD), jobs(h2), "the acknowledged job survived the kill, not yet run");
        assertTrue(Files.notExists(record));

        // Second daemon, same data folder, one worker.
        Process second = daemon(data, port, httpsPort, 1, record, dir.resolve("second.log"));
        awaitReady(port, second, dir.resolve("second.log"));
        Await.until("the acknowledged job to run", () -> Files.exists(record));
        var redelivery = Webhooks.send(port, SECRET, "push", "delivery-1", body);
        assertEquals(200, redelivery.statusCode(), "a redelivery is a duplicate: " + redelivery.body());
        // A marker push for another repository, queued after the redelivery. The one worker claims jobs in
        // order (run_after, id): once the marker has run, a job the redelivery had queued would have run before it.
        var marker = Webhooks.send(port, SECRET, "push", "delivery-2", Webhooks.push("alice", "marker", "main", MARKER));
        assertEquals(202, marker.statusCode(), marker.body());
        Await.until("the marker job to run", () -> recorded(record).stream().anyMatch(run -> run.endsWith(" " + MARKER)));
        second.destroy(); // SIGTERM: graceful stop
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));

        List<String> runs = Files.readAllLines(record);
        assertEquals(2, runs.size(), "the job ran exactly once, then the marker: " + runs + "\n"
                + Files.readString(dir.resolve("second.log")));
        assertTrue(runs.get(0).endsWith(" " + HEAD));
        assertTrue(runs.get(1).endsWith(" " + MARKER));
        assertEquals(List.of("succeeded 1 " + HEAD, "succeeded 1 " + MARKER), jobs(h2),
                () -> "after a graceful stop no job is left running; the second daemon's log:\n"
                        + readQuietly(dir.resolve("second.log")));
    }

    private static List<String> recorded(Path record) {
        try {
            return Files.exists(record) ? Files.readAllLines(record) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Process daemon(Path data, int port, int httpsPort, int workers, Path record, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.driftless.reconciler.Main", "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("DRIFTLESS_"));
        env.put("DRIFTLESS_DATA", data.toString());
        env.put("DRIFTLESS_HTTP_PORT", String.valueOf(port));
        env.put("DRIFTLESS_HTTPS_PORT", String.valueOf(httpsPort));
        env.put("DRIFTLESS_GITHUB_WEBHOOK_SECRET", SECRET);
        env.put("DRIFTLESS_WORKERS", String.valueOf(workers));
        env.put(RecordingJobsModule.VARIABLE, record.toString());
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static void awaitReady(int port, Process process, Path log) throws Exception {
        Await.until("the daemon to be ready (log: " + log + ")", Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited with " + process.exitValue() + ":\n" + readQuietly(log));
            }
            try {
                return Webhooks.get(port, "/readyz").statusCode() == 200;
            } catch (java.io.IOException notYet) {
                return false; // not listening yet
            } catch (Exception e) {
                throw new AssertionError("asking /readyz", e);
            }
        });
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** "state attempts head" of every job, read straight from the H2 file (no daemon holds it). */
    private static List<String> jobs(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT state, attempts, head_sha FROM jobs ORDER BY id")) {
            List<String> jobs = new ArrayList<>();
            while (rows.next()) {
                jobs.add(rows.getString(1) + " " + rows.getInt(2) + " " + rows.getString(3));
            }
            return jobs;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
