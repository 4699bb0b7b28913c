package dev.driftless.reliability;

import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real full disk under the daemon's builds: one small tmpfs holds the data folder's {@code work/} (checkouts,
 * staged handlers, template output, Jib's layers) and {@code images/} (the local image store), bind-mounted there;
 * the store is a PostgreSQL cluster of the test's own and the git repositories stay on the normal disk, so a push
 * is still taken. v1 is deployed, the tmpfs is filled to ENOSPC, v2 is pushed: v2's commit must get a failed
 * status naming the full disk, v1 keeps answering, {@code /healthz} says ok; once space is freed the next push
 * deploys. Needs root for {@code mount}: without it the test is skipped with that reason; as root a failed mount
 * fails the test (never a silent skip under CI).
 */
class DataDiskFullTest {
    private static final Duration CONVERGE = Duration.ofMinutes(3);
    private static final String DISK_SIZE = "24m";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.out.println("cleanup: " + e);
            }
        }
    }

    @Test
    void aFullDiskFailsTheBuildClearlyAndTheServingVersionStays() throws Exception {
        Assumptions.assumeTrue(isRoot(), "mounting a small tmpfs as the build disk needs root (uid "
                + uid() + "); CI runs this test as root");
        RealComponent.BWRAP.require();
        RealComponent.POSTGRES.require(); // the server binaries; the cluster is this test's own
        Path dir = Files.createDirectories(Path.of(System.getProperty("reliability.results", "target/reliability"))
                .resolve("diskfull-" + System.currentTimeMillis())).toAbsolutePath();
        SurroundingFaultsTest.Postgres pg = new SurroundingFaultsTest.Postgres(Files.createDirectories(dir.resolve("pg")));
        resources.add(pg);

        Path data = dir.resolve("data");
        Path disk = Files.createDirectories(dir.resolve("build-disk"));
        mount(disk, "-t", "tmpfs", "-o", "size=" + DISK_SIZE + ",mode=0755", "tmpfs", disk.toString());
        for (String sub : List.of("work", "images")) {
            Path target = Files.createDirectories(data.resolve(sub));
            Files.createDirectories(disk.resolve(sub));
            mount(target, "--bind", disk.resolve(sub).toString(), target.toString());
        }

        int httpPort = SurroundingFaultsTest.freePort();
        int httpsPort = SurroundingFaultsTest.freePort();
        Map<String, String> env = DaemonProcess.environment(data, httpPort, httpsPort);
        env.put("DRIFTLESS_DB_URL", pg.url());
        env.put("DRIFTLESS_RESYNC_INTERVAL", "1h");
        DaemonProcess daemon = new DaemonProcess(env, dir.resolve("daemon.log"), httpPort);
        resources.add(daemon);
        String token = daemon.runCommand("token", "create", "alice");
        Path repo = Files.createDirectories(dir.resolve("alice-fns"));
        Git work = new Git(repo, token);
        Files.writeString(repo.resolve("stack.yml"), """
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                """);
        Files.createDirectories(repo.resolve("hello"));
        Files.writeString(repo.resolve("hello/requirements.txt"), "");
        work.run("init", "-q", "-b", "main");
        String remote = "http://127.0.0.1:" + httpPort + "/git/alice/fns.git";
        if (!daemon.start(Duration.ofMinutes(2))) {
            throw new AssertionError("the daemon did not start:\n" + daemon.logText());
        }
        ServingMonitor monitor = new ServingMonitor(data.resolve("tls/ca.pem"),
                Map.of("hello", "https://localhost:" + httpsPort + "/f/alice/hello"));
        resources.add(monitor);

        int lost = 0;
        int crashes = 0;
        int acknowledged = 0;
        List<String> notes = new ArrayList<>();

        commit(work, 1);
        if (!work.tryRun("push", remote, "main").ok() || !serves(monitor, 1)) {
            throw new AssertionError("v1 not served:\n" + daemon.logText());
        }
        acknowledged++;

        long filled = fill(disk.resolve("filler"));
        notes.add(DISK_SIZE + " tmpfs as work/ + images/, filled with " + filled / (1024 * 1024) + " MiB to ENOSPC");
        String v2 = commit(work, 2);
        Git.Result push = work.tryRun("push", remote, "main");
        if (!push.ok()) {
            throw new AssertionError("the push of v2 was refused though git/ is not on the full disk: " + push.output());
        }
        acknowledged++;
        String[] failure = new String[1];
        boolean named = within(Duration.ofMinutes(3), () -> {
            failure[0] = failedStatusNamingTheDisk(pg.url(), v2);
            return failure[0] != null;
        });
        if (named) {
            notes.add("v2's failed status: \"" + failure[0] + "\"");
        } else {
            crashes++;
            notes.add("no failed status naming the full disk for v2; statuses: " + statuses(pg.url(), v2));
        }
        // The serving version is untouched and the daemon healthy while the disk stays full.
        Instant until = Instant.now().plusSeconds(10);
        int healthy = 0;
        while (Instant.now().isBefore(until)) {
            OptionalInt now = serving(monitor);
            if (now.isPresent() && now.getAsInt() != 1) {
                crashes++;
                notes.add("served v" + now.getAsInt() + " with its build on a full disk");
                break;
            }
            if (daemon.get("/healthz").statusCode() == 200) {
                healthy++;
            }
            Thread.sleep(500);
        }
        if (healthy == 0 || daemon.get("/healthz").statusCode() != 200) {
            crashes++;
            notes.add("/healthz not ok on a full disk");
        }
        if (serving(monitor).isEmpty()) {
            crashes++;
            notes.add("v1 stopped answering on a full disk");
        }

        Files.delete(disk.resolve("filler"));
        commit(work, 3);
        if (work.tryRun("push", remote, "main").ok()) {
            acknowledged++;
        } else {
            lost++;
            notes.add("the push after freeing space was refused");
        }
        if (!serves(monitor, 3)) {
            lost++;
            notes.add("v3 not deployed after freeing space");
        } else {
            notes.add("v3 deployed after freeing space; /healthz 200 throughout");
        }
        if (!daemon.alive()) {
            crashes++;
            notes.add("the daemon died");
        }
        crashes += monitor.regressions().size();
        new Figures("disk full under the builds (tmpfs)", 3, 1, acknowledged, lost, 0, 0, crashes,
                String.join("; ", notes)).recordAndCheck();
        Assertions.assertTrue(named, "v2 must fail with the disk named");
    }

    /** The description of a failed status of {@code sha} that names the full disk, or null. */
    private static String failedStatusNamingTheDisk(String url, String sha) {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement q = c.prepareStatement("SELECT state, description FROM commit_statuses WHERE sha = ?")) {
            q.setString(1, sha);
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    String state = rows.getString(1).toLowerCase(java.util.Locale.ROOT);
                    String description = rows.getString(2);
                    if ((state.equals("failure") || state.equals("error")) && description != null
                            && (description.contains("No space left on device") || description.contains("disk full"))) {
                        return description;
                    }
                }
            }
        } catch (Exception notYet) {
            // the table is there once the daemon migrated it
        }
        return null;
    }

    private static List<String> statuses(String url, String sha) {
        List<String> all = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement q = c.prepareStatement("SELECT context, state, description FROM commit_statuses WHERE sha = ?")) {
            q.setString(1, sha);
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    all.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
                }
            }
        } catch (Exception e) {
            all.add(e.toString());
        }
        return all;
    }

    /** Writes zeros until the filesystem refuses (tmpfs keeps every page); returns the bytes written. */
    private static long fill(Path file) throws IOException {
        byte[] block = new byte[1 << 20];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            if (full.getMessage() == null || !full.getMessage().contains("No space left on device")) {
                throw full;
            }
        }
        // What a partial last block left is there too: the disk is full to the byte.
        return Files.size(file);
    }

    private static String commit(Git work, int v) throws Exception {
        Files.writeString(work.dirPath().resolve("hello/handler.py"), "def handle(req):\n    return \"v" + v + "\"\n");
        work.run("add", "-A");
        work.run("commit", "-q", "-m", "v" + v);
        return work.run("rev-parse", "HEAD");
    }

    private static OptionalInt serving(ServingMonitor monitor) {
        try {
            return monitor.current("hello");
        } catch (Exception slowOrDown) {
            return OptionalInt.empty();
        }
    }

    private static boolean serves(ServingMonitor monitor, int v) throws InterruptedException {
        return within(CONVERGE, () -> serving(monitor).equals(OptionalInt.of(v)));
    }

    /** Mounts and registers the unmount (lazy, so a process still inside cannot keep it); a failure fails the test. */
    private void mount(Path target, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(args));
        String out = run(command);
        if (out != null) {
            Assertions.fail("cannot mount the small build disk (" + String.join(" ", command) + "): " + out);
        }
        resources.add(() -> {
            String failed = run(List.of("umount", "-l", target.toString()));
            if (failed != null) {
                System.out.println("umount " + target + ": " + failed);
            }
        });
    }

    /** Runs a command; null when it exited 0, else its output. */
    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out.strip();
    }

    private static boolean isRoot() {
        return "0".equals(uid());
    }

    private static String uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1];
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    private static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(300);
        }
        return condition.getAsBoolean();
    }
}
