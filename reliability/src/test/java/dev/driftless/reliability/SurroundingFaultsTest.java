package dev.driftless.reliability;

import dev.driftless.testsupport.RealComponent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Faults of the parts around the daemon, each against the real daemon JVM and real components: a restart after a
 * push whose recording was cut off (the ref moved, nothing queued), the registry answering 500 in the middle of
 * image pushes, PostgreSQL stopped and started while a job runs. Each writes its row of docs/reliability.md.
 */
class SurroundingFaultsTest {
    private static final Duration CONVERGE = Duration.ofMinutes(3);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Path dir;

    @AfterEach
    void closeAll() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** One daemon with alice/fns pushed through the built-in git endpoint. */
    private final class Daemon {
        final DaemonProcess process;
        final Path data;
        final Git work;
        final String remote;
        final ServingMonitor monitor;
        int version;

        Daemon(String name, Map<String, String> extraEnv) throws Exception {
            RealComponent.BWRAP.require();
            dir = Files.createDirectories(Path.of(System.getProperty("reliability.results", "target/reliability"))
                    .resolve(name + "-" + System.currentTimeMillis()));
            data = dir.resolve("data");
            int httpPort = freePort();
            int httpsPort = freePort();
            Map<String, String> env = DaemonProcess.environment(data, httpPort, httpsPort);
            env.put("DRIFTLESS_RESYNC_INTERVAL", "1h"); // nothing here may wait for a periodic resync
            env.putAll(extraEnv);
            process = new DaemonProcess(env, dir.resolve("daemon.log"), httpPort);
            resources.add(process);
            String token = process.runCommand("token", "create", "alice");
            Path repo = Files.createDirectories(dir.resolve("alice-fns"));
            work = new Git(repo, token);
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
            remote = "http://127.0.0.1:" + httpPort + "/git/alice/fns.git";
            if (!process.start(Duration.ofMinutes(2))) {
                throw new AssertionError("the daemon did not start:\n" + process.logText());
            }
            monitor = new ServingMonitor(data.resolve("tls/ca.pem"),
                    Map.of("hello", "https://localhost:" + httpsPort + "/f/alice/hello"));
            resources.add(monitor);
        }

        /** A new version committed (not pushed); returns its number. */
        int commit() throws Exception {
            int v = ++version;
            Files.writeString(work.dirPath().resolve("hello/handler.py"), "def handle(req):\n    return \"v" + v + "\"\n");
            work.run("add", "-A");
            work.run("commit", "-q", "-m", "v" + v);
            return v;
        }

        Git.Result push() throws Exception {
            return work.tryRun("push", remote, "main");
        }

        OptionalInt serving() {
            try {
                return monitor.current("hello");
            } catch (Exception slowOrDown) {
                return OptionalInt.empty();
            }
        }

        /** Waits until the function serves {@code v}; false after {@link #CONVERGE}. */
        boolean serves(int v) throws Exception {
            return within(CONVERGE, () -> serving().equals(OptionalInt.of(v)));
        }

        int readyz() {
            try {
                // With the store down, /readyz waits for the pool's connection timeout (10 s) before its 503.
                return process.get("/readyz", Duration.ofSeconds(20)).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }
    }

    /**
     * Defect 3 of docs/reliability.md: the built-in endpoint moves the ref, then records the push; a kill between the
     * two leaves the ref moved and nothing queued (and pushing again says "Everything up-to-date"). Made here exactly:
     * SIGKILL, the new commit written into the daemon's bare repository directly (the ref moved, nothing recorded),
     * a real restart; it must be deployed within minutes though the periodic resync is an hour away.
     */
    @Test
    void aPushWhoseRecordingACrashCutOffIsDeployedAfterTheRestart() throws Exception {
        Daemon d = new Daemon("restart", Map.of());
        int lost = 0;
        int crashes = 0;
        List<String> notes = new ArrayList<>();
        d.commit();
        if (!d.push().ok() || !d.serves(1)) {
            throw new AssertionError("v1 not served:\n" + d.process.logText());
        }
        d.process.kill();
        int v2 = d.commit();
        // What a kill between JGit's ref update and the recording leaves behind.
        d.work.run("push", "-q", d.data.resolve("git/alice/fns.git").toString(), "main");
        Git.Result again = d.work.tryRun("push", d.remote, "main");
        if (again.ok()) {
            crashes++;
            notes.add("a push to a stopped daemon succeeded");
        }
        Instant restarted = Instant.now();
        if (!d.process.start(Duration.ofMinutes(2))) {
            throw new AssertionError("no restart:\n" + d.process.logText());
        }
        Git.Result upToDate = d.push();
        notes.add("re-push after the restart: " + (upToDate.output().contains("up-to-date") ? "Everything up-to-date" : upToDate.output().strip()));
        if (!d.serves(v2)) {
            lost++;
            notes.add("v2 not deployed within " + CONVERGE.toSeconds() + " s of the restart");
        } else {
            notes.add("v2 served " + Duration.between(restarted, Instant.now()).toSeconds() + " s after the restart (resync interval 1 h)");
        }
        crashes += d.monitor.regressions().size();
        new Figures("restart after a push whose recording was cut off (H2)", 1, 1, 1, lost, 0, 0, crashes,
                String.join("; ", notes)).recordAndCheck();
    }

    /**
     * The registry answers 500 to every upload while a push is built: the build fails with the registry's answer, the
     * serving version keeps answering, and the job is retried and succeeds once the registry is back.
     */
    @Test
    void theRegistryAnswering500MidPush() throws Exception {
        String registry = RealComponent.REGISTRY.require();
        FaultyRegistry proxy = new FaultyRegistry(registry);
        resources.add(proxy);
        Daemon d = new Daemon("registry", Map.of("DRIFTLESS_REGISTRY", "127.0.0.1:" + proxy.port(),
                "DRIFTLESS_REGISTRY_INSECURE", "true"));
        int lost = 0;
        int crashes = 0;
        List<String> notes = new ArrayList<>();
        d.commit();
        if (!d.push().ok() || !d.serves(1)) {
            throw new AssertionError("v1 not served:\n" + d.process.logText());
        }
        proxy.failing.set(true);
        int v2 = d.commit();
        Git.Result push = d.push();
        int acknowledged = push.ok() ? 2 : 1;
        // The failed function's reason is the registry's answer, and the job is to be retried.
        boolean refused = within(Duration.ofMinutes(3), () -> proxy.injected.get() > 0
                && logMentions(d, "event=function_failed owner=alice function=hello") && logMentions(d, "retried=true")
                && logMentions(d, "500"));
        if (!refused) {
            crashes++;
            notes.add("no build failed with the registry's 500 and a retry");
        }
        // While the registry fails, v1 keeps serving (checked for a while, the build being retried meanwhile).
        Instant until = Instant.now().plusSeconds(15);
        while (Instant.now().isBefore(until)) {
            OptionalInt now = d.serving();
            if (now.isPresent() && now.getAsInt() != 1) {
                crashes++;
                notes.add("served v" + now.getAsInt() + " while its image could not be pushed");
                break;
            }
            Thread.sleep(500);
        }
        proxy.failing.set(false);
        if (!d.serves(v2)) {
            lost++;
            notes.add("v2 not deployed after the registry came back");
        }
        if (!d.process.alive()) {
            crashes++;
        }
        crashes += d.monitor.regressions().size();
        notes.add(0, proxy.injected.get() + " registry uploads answered 500; the build's error names it: " + refused);
        new Figures("registry answering 500 mid-push", 2, proxy.injected.get(), acknowledged, lost, 0, 0, crashes,
                String.join("; ", notes)).recordAndCheck();
    }

    /**
     * PostgreSQL (a cluster of its own, from the same binaries scripts/test.sh uses) stopped right after a push and
     * started again a little later: /readyz says 503 while it is down and 200 after, and the acknowledged push is
     * deployed.
     */
    @Test
    void postgresStoppedAndStartedWhileAJobRuns() throws Exception {
        RealComponent.POSTGRES.require();
        Postgres pg = new Postgres(Files.createDirectories(Path.of(System.getProperty("reliability.results", "target/reliability"))
                .resolve("pg-" + System.currentTimeMillis())));
        resources.add(pg);
        Daemon d = new Daemon("postgres", Map.of("DRIFTLESS_DB_URL", pg.url()));
        int lost = 0;
        int crashes = 0;
        List<String> notes = new ArrayList<>();
        d.commit();
        if (!d.push().ok() || !d.serves(1)) {
            throw new AssertionError("v1 not served:\n" + d.process.logText());
        }
        int v2 = d.commit();
        if (!d.push().ok()) {
            throw new AssertionError("push of v2 failed with PostgreSQL up");
        }
        pg.stop();
        boolean unready = within(Duration.ofSeconds(60), () -> d.readyz() == 503);
        notes.add(unready ? "/readyz 503 while down" : "/readyz never said 503 while PostgreSQL was down");
        Git.Result whileDown = d.push();
        if (whileDown.ok() && whileDown.output().contains("driftless: recorded")) {
            crashes++;
            notes.add("a push was recorded with the store down");
        }
        Thread.sleep(5000); // jobs and the status sender meet the dead store for a while
        pg.start();
        boolean ready = within(Duration.ofSeconds(60), () -> d.readyz() == 200);
        notes.add(ready ? "200 again once it was back" : "/readyz never came back to 200");
        if (!d.serves(v2)) {
            lost++;
            notes.add("the push acknowledged before the stop was not deployed");
        }
        if (!d.process.alive()) {
            crashes++;
            notes.add("the daemon died");
        }
        if (!unready || !ready) {
            crashes++;
        }
        crashes += d.monitor.regressions().size();
        new Figures("PostgreSQL stopped and started while a job runs", 2, 1, 2, lost, 0, 0, crashes,
                String.join("; ", notes)).recordAndCheck();
    }

    private static boolean logMentions(Daemon d, String text) {
        try {
            return d.process.logText().contains(text);
        } catch (IOException e) {
            return false;
        }
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * An HTTP proxy in front of the real registry that, while {@link #failing}, answers 500 to every upload (POST,
     * PUT, PATCH: blob uploads and manifests) and lets reads through: a registry broken in the middle of a push.
     */
    static final class FaultyRegistry implements AutoCloseable {
        private static final List<String> HOP_BY_HOP = List.of("Transfer-Encoding", "Connection", "Keep-Alive");
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicInteger injected = new AtomicInteger();
        private final Vertx vertx = Vertx.vertx();
        private final HttpServer server;

        FaultyRegistry(String upstream) throws Exception {
            String host = upstream.substring(0, upstream.lastIndexOf(':'));
            int port = Integer.parseInt(upstream.substring(upstream.lastIndexOf(':') + 1));
            HttpClient client = vertx.createHttpClient();
            server = vertx.createHttpServer().requestHandler(request -> {
                if (failing.get() && request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                    injected.incrementAndGet();
                    request.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                            .end("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"injected by the reliability test\"}]}");
                    return;
                }
                request.pause();
                io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap().setAll(request.headers());
                HOP_BY_HOP.forEach(headers::remove); // Jib uploads chunked: each side frames its own body
                client.request(new RequestOptions().setMethod(request.method()).setHost(host).setPort(port)
                                .setURI(request.uri()).setHeaders(headers))
                        .compose(out -> {
                            if (!headers.contains("Content-Length")) {
                                out.setChunked(true);
                            }
                            return out.send(request);
                        })
                        .onSuccess(answer -> {
                            var response = request.response().setStatusCode(answer.statusCode());
                            response.headers().setAll(answer.headers());
                            HOP_BY_HOP.forEach(response.headers()::remove);
                            if (request.method() == HttpMethod.HEAD) {
                                answer.body().onComplete(ignored -> response.end());
                                return;
                            }
                            if (!response.headers().contains("Content-Length")) {
                                response.setChunked(true);
                            }
                            answer.pipeTo(response);
                        })
                        .onFailure(e -> request.response().setStatusCode(502).end(String.valueOf(e)));
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        int port() {
            return server.actualPort();
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A throwaway PostgreSQL 15 cluster of this test's own (initdb, pg_ctl), so stopping it touches no other test. */
    static final class Postgres implements AutoCloseable {
        private static final String BIN = "/usr/lib/postgresql/15/bin/";
        private final Path data;
        private final int port;

        Postgres(Path dir) throws Exception {
            data = dir.resolve("cluster");
            Files.createDirectories(data);
            run("chown", "-R", "postgres:postgres", dir.toString());
            port = freePort();
            run("runuser", "-u", "postgres", "--", BIN + "initdb", "-D", data.toString(), "-A", "trust", "-U", "driftless");
            start();
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=driftless";
        }

        void start() throws Exception {
            run("runuser", "-u", "postgres", "--", BIN + "pg_ctl", "-D", data.toString(), "-l", data.resolve("log").toString(),
                    "-o", "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start");
        }

        void stop() throws Exception {
            run("runuser", "-u", "postgres", "--", BIN + "pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
        }

        @Override
        public void close() throws Exception {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                run("runuser", "-u", "postgres", "--", BIN + "pg_ctl", "-D", data.toString(), "-m", "immediate", "stop");
            }
        }

        private static void run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        }
    }
}
