package dev.driftless.reliability;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.testsupport.RealComponent;
import dev.driftless.webhook.GitHttpHandler;
import dev.driftless.webhook.WebhookVerifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;

/**
 * kill -9 anywhere. The real daemon runs as its own JVM with two repositories: {@code octo/fns} through GitHub
 * (signed {@code push} webhooks; the commits live on a git server in this JVM that only lets the installation
 * token in; statuses go to a WireMock GitHub) and {@code alice/fns} through the built-in git endpoint (the system
 * {@code git push}). Each trial makes one or two new commits in both, sends them, and SIGKILLs the daemon at a
 * random moment in the next seconds: during intake, checkout, build, image push, rollout or status delivery,
 * or after all of it. Then it restarts the daemon on the same data folder and store, redelivers what was not
 * answered (same delivery id, as GitHub's "Redeliver" does), pushes again what git reported as failed, and checks:
 * <ul>
 *   <li>every delivery answered 2xx and every push git reported as recorded is in the store;</li>
 *   <li>each function ends up serving the branch head (the upstream head, the daemon's own bare repository);</li>
 *   <li>no function ever answers an older version than one it answered before (a monitor calls them all along),
 *       and deployed releases never go back in commit order;</li>
 *   <li>every status the outbox holds reached WireMock exactly once, and nothing was posted twice;</li>
 *   <li>no function process outlives the daemon that started it, and no unpacked image root is left behind.</li>
 * </ul>
 * Trials: {@code -Dreliability.trials} (1 per store by default; {@code reliability/run-long.sh} runs many), random
 * seed {@code -Dreliability.seed}. PostgreSQL comes from {@code DRIFTLESS_TEST_PG_URL} (scripts/test.sh).
 */
class KillNineTest {
    private static final String SECRET = "It's a Secret to Everybody";
    private static final String INSTALLATION_TOKEN = "ghs_reliabilityInstallationToken0123";
    private static final long INSTALLATION = 4242;
    private static final Duration CONVERGE = Duration.ofMinutes(3);

    /** Under target/, not a temporary folder, so that the daemon's log and store stay for a failed run. */
    private Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (AutoCloseable resource : reversed(resources)) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // best effort: the next resource still gets closed
            }
        }
    }

    @Test
    void killedAnywhereOnH2() throws Exception {
        new Run("H2", Optional.empty(), false).execute();
    }

    /**
     * The same trials on PostgreSQL while GitHub answers most status posts with 5xx or 429 until the last kill is
     * over (one run for both, to keep the normal build short).
     */
    @Test
    void killedAnywhereDuringAGitHubStormOnPostgres() throws Exception {
        String url = RealComponent.POSTGRES.require();
        String schema = "kill_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        new Run("PostgreSQL", Optional.of(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema), true).execute();
    }

    /**
     * GitHub down for status posts for a sustained period ({@code -Dreliability.stormSeconds}, 60 s in the normal
     * build, minutes in the long form), no kills: every status post answered 500/502/503 or 429 with
     * {@code Retry-After}, while commits are pushed through both paths (signed webhooks and system-git pushes)
     * every few seconds. Each must deploy during the storm (GitHub being down blocks no deploy), the daemon stays
     * healthy, and once GitHub recovers every final status of every commit arrives exactly once.
     */
    @Test
    void aSustainedGitHubStormLosesAndDoublesNoStatus() throws Exception {
        new Run("H2", Optional.empty(), true, false).execute();
    }

    /** One series of trials against one store. */
    private final class Run {
        private final String store;
        private final Optional<String> dbUrl;
        private final int trials;
        private final long seed = Long.getLong("reliability.seed", System.nanoTime());
        private final Random random = new Random(seed);
        private final Map<String, Integer> versionOfSha = new HashMap<>();
        private final Map<String, Boolean> webhookAcknowledged = new LinkedHashMap<>();
        private final Map<String, String> webhookBodies = new HashMap<>();
        private final List<String> recordedPushes = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private int version;
        private int kills;
        private int acknowledged;
        private int lost;
        private int duplicated;
        private int serverErrors;
        private int crashes;
        private int upToDateRetries;
        private int neverBuilt;
        private String upstreamHead;
        private WireMockServer github;
        private DaemonProcess daemon;
        private Path data;
        private Git upstreamWork;
        private Git localWork;
        private String gitRemote;

        private final GitHubStorm storm;
        /** False for the sustained storm: no kills, GitHub refusing every status post for a while. */
        private final boolean killing;
        private final List<String> upstreamShas = new ArrayList<>();
        private int deployedDuringStorm;

        Run(String store, Optional<String> dbUrl, boolean storm) {
            this(store, dbUrl, storm, true);
        }

        Run(String store, Optional<String> dbUrl, boolean storm, boolean killing) {
            this.store = store;
            this.dbUrl = dbUrl;
            this.killing = killing;
            this.storm = storm ? new GitHubStorm(seed, killing ? 80 : 100) : null;
            this.trials = Integer.getInteger("reliability.trials", 1);
        }

        private String label() {
            if (!killing) {
                return "GitHub 5xx/429 storm, " + Long.getLong("reliability.stormSeconds", 60) + " s (" + store + ")";
            }
            return storm == null ? "kill -9 anywhere (" + store + ")" : "kill -9 + GitHub 5xx/429 storm (" + store + ")";
        }

        void execute() throws Exception {
            RealComponent.BWRAP.require(); // plain processes (no --die-with-parent) would outlive a SIGKILLed daemon
            dir = Files.createDirectories(Path.of(System.getProperty("reliability.results", "target/reliability"))
                    .resolve((storm == null ? "kill9-" : "storm-") + store + "-" + System.currentTimeMillis()));
            System.out.println("work folder " + dir);
            System.out.println("kill -9 on " + store + ": " + trials + " trials, seed " + seed);
            setUp();
            Path ca = data.resolve("tls").resolve("ca.pem");
            int httpsPort = Integer.parseInt(daemonEnv.get("DRIFTLESS_HTTPS_PORT"));
            ServingMonitor monitor = new ServingMonitor(ca, Map.of(
                    "gh", "https://localhost:" + httpsPort + "/f/octo/gh",
                    "hello", "https://localhost:" + httpsPort + "/f/alice/hello"));
            resources.add(monitor);
            if (storm != null) {
                storm.begin();
            }
            int sent = trials;
            if (killing) {
                for (int trial = 1; trial <= trials; trial++) {
                    trial(trial, monitor);
                }
            } else {
                sent = sustainedStorm(monitor);
            }
            if (storm != null) {
                storm.end(); // GitHub recovers: everything held back must now arrive, once
            }
            // A last push with no kill: both functions must end at the branch head, all statuses delivered.
            send(commit(), true);
            converge(monitor, "final");
            settleStatuses();
            checkImageRoots("final");
            int exit = daemon.stop();
            if (exit != 0 && exit != 143) {
                problem(true, "the daemon's graceful stop exited with " + exit);
            }
            checkOrphans("after the graceful stop");
            checkStore();
            checkFinalStatusesOncePerCommit();
            problems.addAll(monitor.regressions());
            crashes += monitor.regressions().size();
            String notes = "seed " + seed + "; " + monitor.answers() + " function answers observed; images in "
                    + (RealComponent.REGISTRY.available() ? "a registry" : "the local image store")
                    + (upToDateRetries > 0 ? "; " + upToDateRetries + " re-push(es) found the branch already moved" : "")
                    + (neverBuilt > 0 ? "; " + neverBuilt + " commit(s) folded into a newer one before their build began"
                    + " (no status, by design)" : "")
                    + (problems.isEmpty() ? "" : "; problems: " + String.join(" | ", problems));
            int faults = kills + (storm == null ? 0 : storm.injected());
            int statusPosts = github.findAll(postRequestedFor(urlMatching("/repos/.*/statuses/.*"))).size();
            if (!killing) {
                notes = sent + " commits sent (webhook + git push each) during the storm, " + deployedDuringStorm
                        + " deployed while it raged; " + statusPosts + " status posts, " + storm.injected()
                        + " answered 5xx/429; " + upstreamShas.size() + " commits x 2 contexts checked once each; " + notes;
            } else {
                notes = (storm == null ? "" : kills + " kills and " + storm.injected() + " GitHub 5xx/429 answers; ") + notes;
            }
            new Figures(label(), sent + 1, faults, acknowledged, lost, duplicated,
                    serverErrors, crashes, notes).recordAndCheck();
            deleteTree(dir); // kept only when the run failed
        }

        private Map<String, String> daemonEnv;

        private void setUp() throws Exception {
            WireMockConfiguration options = WireMockConfiguration.options().dynamicPort();
            GitHubStatusList statusList = new GitHubStatusList();
            if (storm != null) {
                options.extensions(storm, statusList); // the storm hits the status list too
            } else {
                options.extensions(statusList);
            }
            github = new WireMockServer(options);
            statusList.server(github);
            github.start();
            // Stubbed so that a GET is a matched request; the answer is GitHubStatusList's.
            github.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlMatching("/repos/.*/statuses/[0-9a-f]{40}.*"))
                    .willReturn(aResponse().withStatus(200).withBody("[]")));
            resources.add(github::stop);
            github.stubFor(post(urlEqualTo("/app/installations/" + INSTALLATION + "/access_tokens"))
                    .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                            .withBody(new JsonObject().put("token", INSTALLATION_TOKEN)
                                    .put("expires_at", Instant.now().plus(Duration.ofHours(1)).toString()).encode())));
            github.stubFor(post(urlMatching("/repos/.*/statuses/[0-9a-f]{40}"))
                    .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{}")));

            // The "GitHub" side of octo/fns: a git server that only lets the installation token in.
            Vertx vertx = Vertx.vertx();
            resources.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            Router router = Router.router(vertx);
            router.route("/git/*").handler(GitHttpHandler.builder()
                    .repositoriesRoot(dir.resolve("upstream"))
                    .authenticator((o, user, token) -> INSTALLATION_TOKEN.equals(token))
                    .sink(changes -> { })
                    .worker(vertx.createSharedWorkerExecutor("upstream-git", 2))
                    .build());
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            String cloneUrl = "http://127.0.0.1:" + server.actualPort() + "/git/octo/fns.git";

            Path key = dir.resolve("app.pem");
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");

            data = dir.resolve("data");
            int httpPort = freePort();
            daemonEnv = DaemonProcess.environment(data, httpPort, freePort());
            daemonEnv.put("DRIFTLESS_GITHUB_WEBHOOK_SECRET", SECRET);
            daemonEnv.put("DRIFTLESS_GITHUB_APP_ID", "12345");
            daemonEnv.put("DRIFTLESS_GITHUB_APP_KEY_FILE", key.toString());
            daemonEnv.put("DRIFTLESS_GITHUB_API_URL", github.baseUrl());
            daemonEnv.put("DRIFTLESS_RESYNC_INTERVAL", "1h"); // nothing may depend on a resync to be caught up
            dbUrl.ifPresent(url -> daemonEnv.put("DRIFTLESS_DB_URL", url));
            if (RealComponent.REGISTRY.available()) {
                daemonEnv.put("DRIFTLESS_REGISTRY", RealComponent.REGISTRY.require());
                daemonEnv.put("DRIFTLESS_REGISTRY_INSECURE", "true");
            }
            daemon = new DaemonProcess(daemonEnv, dir.resolve("daemon.log"), httpPort);
            resources.add(daemon);
            String token = daemon.runCommand("token", "create", "alice");

            upstreamWork = new Git(Files.createDirectories(dir.resolve("octo-fns")), INSTALLATION_TOKEN);
            localWork = new Git(Files.createDirectories(dir.resolve("alice-fns")), token);
            writeStack(dir.resolve("octo-fns"), "gh");
            writeStack(dir.resolve("alice-fns"), "hello");
            for (Git git : List.of(upstreamWork, localWork)) {
                git.run("init", "-q", "-b", "main");
            }
            upstreamWork.run("remote", "add", "origin", cloneUrl);
            gitRemote = "http://127.0.0.1:" + httpPort + "/git/alice/fns.git";
            this.cloneUrl = cloneUrl;
            if (!daemon.start(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the daemon did not start:\n" + daemon.logText());
            }
        }

        private String cloneUrl;

        /**
         * Commits sent every 10 s while GitHub refuses every status post; each must deploy while the storm lasts,
         * and /healthz stays 200. Returns the commits sent.
         */
        private int sustainedStorm(ServingMonitor monitor) throws Exception {
            Instant end = Instant.now().plusSeconds(Long.getLong("reliability.stormSeconds", 60));
            int sent = 0;
            while (Instant.now().isBefore(end)) {
                Instant next = Instant.now().plusSeconds(10);
                send(commit(), true);
                sent++;
                converge(monitor, "storm commit " + sent);
                if (storm.raging()) {
                    deployedDuringStorm++;
                }
                HttpResponse<String> health = daemon.get("/healthz");
                if (health.statusCode() != 200) {
                    problem(true, "storm commit " + sent + ": /healthz answered " + health.statusCode());
                }
                long wait = Duration.between(Instant.now(), next).toMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
            }
            System.out.println("storm on " + store + ": " + sent + " commits, " + storm.injected() + " faults injected");
            return sent;
        }

        /**
         * Every commit sent through GitHub whose build began (a status reached GitHub) got its final status (success,
         * failure or error) of the stack and of the function exactly once: none lost, none doubled (two different final statuses count as doubled too;
         * the same status twice is counted by {@link #checkOutbox}).
         */
        private void checkFinalStatusesOncePerCommit() {
            Map<String, java.util.Set<String>> finals = new HashMap<>();
            java.util.Set<String> started = new java.util.HashSet<>();
            for (com.github.tomakehurst.wiremock.stubbing.ServeEvent event : github.getAllServeEvents()) {
                LoggedRequest request = event.getRequest();
                if (!request.getMethod().getName().equals("POST") || !request.getUrl().contains("/statuses/")
                        || event.getResponse().getStatus() / 100 != 2) {
                    continue;
                }
                JsonObject status = new JsonObject(request.getBodyAsString());
                String url = request.getUrl();
                started.add(url.substring(url.lastIndexOf('/') + 1));
                if (status.getString("state").equals("pending")) {
                    continue;
                }
                finals.computeIfAbsent(url.substring(url.lastIndexOf('/') + 1) + " " + status.getString("context"),
                        k -> new java.util.HashSet<>()).add(status.getString("state") + " " + status.getString("description"));
            }
            for (String sha : upstreamShas) {
                if (!started.contains(sha)) {
                    // Folded into a newer commit's job before it was built: no status at all, as with Flux; its
                    // push is covered by the check that the branch head is deployed.
                    neverBuilt++;
                    continue;
                }
                for (String context : List.of("driftless/stack", "driftless/gh")) {
                    java.util.Set<String> got = finals.getOrDefault(sha + " " + context, java.util.Set.of());
                    if (got.isEmpty()) {
                        lost++;
                        problem(false, "no final " + context + " status of " + sha + " reached GitHub");
                    } else if (got.size() > 1) {
                        duplicated += got.size() - 1;
                        problem(false, "different final " + context + " statuses of " + sha + ": " + got);
                    }
                }
            }
        }

        /** One trial: new commits sent while the daemon is SIGKILLed at a random moment, restart, checks. */
        private void trial(int trial, ServingMonitor monitor) throws Exception {
            int commits = 1 + random.nextInt(2);
            long killAfter = random.nextInt(14_000);
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < commits; i++) {
                        send(commit(), false);
                    }
                } catch (Exception e) {
                    // the daemon went away under it: what was not acknowledged is sent again after the restart
                }
            }, "sender");
            sender.start();
            Thread.sleep(killAfter);
            int exit = daemon.kill();
            kills++;
            if (exit != 137) {
                problem(true, "trial " + trial + ": the daemon had already exited with " + exit + " before the kill");
            }
            sender.join(TimeUnit.MINUTES.toMillis(3));
            checkOrphans("trial " + trial + " after SIGKILL at " + killAfter + " ms");
            if (!daemon.start(Duration.ofMinutes(2))) {
                problem(true, "trial " + trial + ": the daemon did not come back after SIGKILL");
                throw new AssertionError("restart failed after SIGKILL at " + killAfter + " ms:\n" + daemon.logText());
            }
            redeliver();
            converge(monitor, "trial " + trial + " (kill at " + killAfter + " ms, " + commits + " commit(s))");
            checkImageRoots("trial " + trial);
            System.out.println("trial " + trial + " on " + store + ": killed at " + killAfter + " ms, converged at v" + version);
        }

        /** A new version of both repositories' function; returns the version. */
        private synchronized int commit() throws Exception {
            int v = ++version;
            for (Map.Entry<Git, Path> repo : Map.of(upstreamWork, dir.resolve("octo-fns"),
                    localWork, dir.resolve("alice-fns")).entrySet()) {
                Path handler = repo.getValue().resolve(repo.getValue().endsWith("octo-fns") ? "gh" : "hello");
                Files.writeString(handler.resolve("handler.py"), "def handle(req):\n    return \"v" + v + "\"\n");
                repo.getKey().run("add", "-A");
                repo.getKey().run("commit", "-q", "-m", "v" + v);
                versionOfSha.put(repo.getKey().run("rev-parse", "HEAD"), v);
            }
            upstreamWork.run("push", "-q", "origin", "main"); // GitHub's side is never killed
            upstreamHead = upstreamWork.run("rev-parse", "HEAD");
            upstreamShas.add(upstreamHead);
            return v;
        }

        /** The webhook for the upstream head and the push of the local head; {@code mustSucceed} outside kills. */
        private void send(int v, boolean mustSucceed) throws Exception {
            String sha = upstreamWork.run("rev-parse", "HEAD");
            String delivery = "kill-" + store + "-v" + v;
            String body = pushPayload(sha);
            webhookBodies.put(delivery, body);
            webhookAcknowledged.put(delivery, false);
            deliver(delivery);
            pushLocal(mustSucceed);
            if (mustSucceed && (!webhookAcknowledged.get(delivery))) {
                throw new AssertionError("the webhook of v" + v + " was not acknowledged with the daemon up");
            }
        }

        private synchronized void deliver(String delivery) {
            try {
                byte[] body = webhookBodies.get(delivery).getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + daemon.httpPort() + "/webhooks/github"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("X-GitHub-Event", "push")
                        .header("X-GitHub-Delivery", delivery)
                        .header("X-Hub-Signature-256", new WebhookVerifier(SECRET).sign(body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() >= 500) {
                    serverErrors++;
                }
                if (answer.statusCode() / 100 == 2 && !webhookAcknowledged.get(delivery)) {
                    webhookAcknowledged.put(delivery, true);
                    acknowledged++;
                }
            } catch (IOException | InterruptedException daemonGone) {
                // not acknowledged: redelivered after the restart
            }
        }

        private boolean localPushPending;

        private synchronized void pushLocal(boolean mustSucceed) throws Exception {
            String head = localWork.run("rev-parse", "HEAD");
            Git.Result push = localWork.tryRun("push", gitRemote, "main");
            if (!push.ok()) {
                localPushPending = true;
                if (mustSucceed) {
                    throw new AssertionError("git push failed with the daemon up: " + push.output());
                }
                return;
            }
            localPushPending = false;
            acknowledged++;
            if (push.output().contains("driftless: recorded")) {
                recordedPushes.add(head);
            } else if (push.output().contains("up-to-date")) {
                upToDateRetries++;
            }
        }

        /** What GitHub's "Redeliver" and a user's second {@code git push} do after a failed attempt. */
        private void redeliver() throws Exception {
            for (Map.Entry<String, Boolean> delivery : List.copyOf(webhookAcknowledged.entrySet())) {
                if (!delivery.getValue()) {
                    deliver(delivery.getKey());
                    if (!webhookAcknowledged.get(delivery.getKey())) {
                        throw new AssertionError("redelivery " + delivery.getKey() + " not acknowledged by a running daemon");
                    }
                }
            }
            if (localPushPending) {
                pushLocal(true);
            }
        }

        /** Both functions serve their branch head: the upstream head and the head of the daemon's bare repository. */
        private void converge(ServingMonitor monitor, String when) throws Exception {
            Instant deadline = Instant.now().plus(CONVERGE);
            String last = "";
            while (Instant.now().isBefore(deadline)) {
                int ghWanted = versionOfSha.get(upstreamHead);
                Integer helloWanted = versionOfSha.get(new Git(dir, null).run("--git-dir=" + data.resolve("git/alice/fns.git"),
                        "rev-parse", "refs/heads/main"));
                OptionalInt gh = currentOrNothing(monitor, "gh");
                OptionalInt hello = currentOrNothing(monitor, "hello");
                last = "gh serves " + gh + " wants v" + ghWanted + ", hello serves " + hello + " wants v" + helloWanted;
                if (gh.equals(OptionalInt.of(ghWanted)) && helloWanted != null && hello.equals(OptionalInt.of(helloWanted))) {
                    return;
                }
                if (!daemon.alive()) {
                    problem(true, when + ": the daemon died on its own");
                    throw new AssertionError("the daemon died:\n" + daemon.logText());
                }
                Thread.sleep(500);
            }
            lost++;
            problem(false, when + ": not converged in " + CONVERGE.toSeconds() + " s (" + last + ")");
            throw new AssertionError(when + ": acknowledged pushes not deployed: " + last + "\n" + daemon.logText());
        }

        /**
         * Waits until the final commit's success reached GitHub for the stack and the function, and nothing more
         * arrives. Statuses of one context go out in order, so every earlier row of that context went first; a
         * row a killed daemon had claimed waits for its lease (2 minutes) to run out, hence the long limit.
         */
        private void settleStatuses() throws Exception {
            String path = "/repos/octo/fns/statuses/" + upstreamHead;
            // After a sustained storm the last retries of the status sender's backoff may be as far away as the storm was long.
            Instant deadline = Instant.now().plus(Duration.ofMinutes(storm == null ? 4 : 8))
                    .plusSeconds(killing ? 0 : Long.getLong("reliability.stormSeconds", 60));
            int before = -1;
            while (Instant.now().isBefore(deadline)) {
                List<LoggedRequest> all = github.findAll(postRequestedFor(urlMatching("/repos/.*/statuses/.*")));
                java.util.Set<String> finalStates = new java.util.HashSet<>();
                github.getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getUrl().equals(path) && e.getResponse().getStatus() / 100 == 2)
                        .forEach(e -> {
                            JsonObject s = new JsonObject(e.getRequest().getBodyAsString());
                            finalStates.add(s.getString("context") + " " + s.getString("state"));
                        });
                if (finalStates.containsAll(List.of("driftless/stack success", "driftless/gh success")) && all.size() == before
                        && everyStartedCommitHasItsFinalStatuses()) {
                    return;
                }
                before = all.size();
                Thread.sleep(2000);
            }
            lost++;
            problem(false, "the final commit's success statuses never reached GitHub");
        }

        /**
         * Every commit sent through GitHub whose build began has a final stack and function status that GitHub
         * answered 2xx. After a kill that can take the 2 minutes of a dead sender's lease (docs/reliability.md, 1).
         */
        private boolean everyStartedCommitHasItsFinalStatuses() {
            java.util.Set<String> arrived = new java.util.HashSet<>();
            java.util.Set<String> started = new java.util.HashSet<>();
            for (com.github.tomakehurst.wiremock.stubbing.ServeEvent e : github.getAllServeEvents()) {
                String url = e.getRequest().getUrl();
                if (e.getRequest().getMethod().getName().equals("POST") && url.contains("/statuses/")
                        && e.getResponse().getStatus() / 100 == 2) {
                    JsonObject s = new JsonObject(e.getRequest().getBodyAsString());
                    started.add(url.substring(url.lastIndexOf('/') + 1));
                    if (!s.getString("state").equals("pending")) {
                        arrived.add(url.substring(url.lastIndexOf('/') + 1) + " " + s.getString("context"));
                    }
                }
            }
            return upstreamShas.stream().filter(started::contains).allMatch(sha -> arrived.contains(sha + " driftless/stack")
                    && arrived.contains(sha + " driftless/gh"));
        }

        /** What a function answers now; nothing while it is slow or unreachable (a loaded machine, a rollout). */
        private OptionalInt currentOrNothing(ServingMonitor monitor, String function) throws Exception {
            try {
                return monitor.current(function);
            } catch (IOException slowOrDown) {
                return OptionalInt.empty();
            }
        }

        /** No function process may outlive the daemon: bubblewrap runs them with --die-with-parent. */
        private void checkOrphans(String when) throws Exception {
            String marker = data.toAbsolutePath().toString();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
            List<ProcessHandle> orphans = List.of();
            while (Instant.now().isBefore(deadline)) {
                orphans = ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
                if (orphans.isEmpty()) {
                    return;
                }
                Thread.sleep(250);
            }
            problem(true, when + ": " + orphans.size() + " function process(es) outlived the daemon: "
                    + orphans.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList());
            orphans.forEach(ProcessHandle::destroyForcibly);
        }

        /** Unpacked image roots: one per running function at most (after draining), no half-done unpack. */
        private void checkImageRoots(String when) throws Exception {
            Path roots = data.resolve("runtime").resolve("roots");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(45));
            List<String> names = List.of();
            while (Instant.now().isBefore(deadline)) {
                if (!Files.isDirectory(roots)) {
                    return;
                }
                try (Stream<Path> list = Files.list(roots)) {
                    names = list.map(p -> p.getFileName().toString()).sorted().toList();
                }
                if (names.size() <= 2 && names.stream().noneMatch(n -> n.startsWith(".unpacking-"))) {
                    return;
                }
                Thread.sleep(500);
            }
            problem(true, when + ": image roots left behind: " + names);
        }

        /** What the store says, read once the daemon has stopped (an H2 file has one user at a time). */
        private void checkStore() throws Exception {
            String url = dbUrl.orElseGet(() -> {
                try {
                    return new ConfigLoader(Map.of("DRIFTLESS_DATA", data.toString())).load(Optional.empty()).dbUrl();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Connection c = DriverManager.getConnection(url)) {
                for (Map.Entry<String, Boolean> delivery : webhookAcknowledged.entrySet()) {
                    if (delivery.getValue() && count(c, "SELECT COUNT(*) FROM deliveries WHERE id = ?", delivery.getKey()) != 1) {
                        lost++;
                        problem(false, "acknowledged delivery " + delivery.getKey() + " is not stored");
                    }
                }
                for (String sha : recordedPushes) {
                    if (count(c, "SELECT COUNT(*) FROM deliveries WHERE source = 'git' AND head_sha = ?", sha) < 1) {
                        lost++;
                        problem(false, "recorded git push " + sha + " is not stored");
                    }
                }
                checkReleaseOrder(c);
                checkOutbox(c);
            }
        }

        private void checkReleaseOrder(Connection c) throws Exception {
            Map<String, Integer> newest = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT owner, function_name, number, commit_sha FROM releases "
                    + "WHERE result = 'deployed' ORDER BY owner, function_name, number");
                 ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    String function = rows.getString(1) + "/" + rows.getString(2);
                    Integer v = versionOfSha.get(rows.getString(4).strip());
                    Integer before = newest.get(function);
                    if (v != null && before != null && v < before) {
                        crashes++;
                        problem(false, "release " + rows.getInt(3) + " of " + function + " deployed v" + v + " after v" + before);
                    }
                    if (v != null) {
                        newest.merge(function, v, Math::max);
                    }
                }
            }
        }

        /** Every status row the outbox holds was delivered, and reached WireMock exactly once. */
        private void checkOutbox(Connection c) throws Exception {
            Map<String, Integer> posted = new HashMap<>();
            java.util.Set<String> reached = new java.util.HashSet<>();
            for (com.github.tomakehurst.wiremock.stubbing.ServeEvent event : github.getAllServeEvents()) {
                LoggedRequest request = event.getRequest();
                if (!request.getMethod().getName().equals("POST") || !request.getUrl().contains("/statuses/")
                        || event.getResponse().getStatus() / 100 != 2) {
                    continue; // a status GitHub refused (the storm) was not posted
                }
                String url = request.getUrl();
                JsonObject status = new JsonObject(request.getBodyAsString());
                String key = url.substring(url.lastIndexOf('/') + 1) + " " + status.getString("context") + " "
                        + status.getString("state");
                reached.add(key);
                posted.merge(key + " " + status.getString("description"), 1, Integer::sum);
            }
            posted.forEach((status, times) -> {
                if (times > 1) {
                    duplicated += times - 1;
                    problem(false, "posted " + times + " times: " + status);
                }
            });
            try (PreparedStatement q = c.prepareStatement("SELECT sha, context, state, description, outcome FROM status_outbox");
                 ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    String status = rows.getString(1).strip() + " " + rows.getString(2) + " "
                            + rows.getString(3).toLowerCase(java.util.Locale.ROOT);
                    String outcome = rows.getString(5);
                    if (!outcome.equals("delivered")) {
                        lost++;
                        problem(false, "outbox row " + outcome + ": " + status);
                    } else if (!reached.contains(status)) {
                        lost++;
                        problem(false, "outbox row delivered but never reached GitHub: " + status);
                    }
                }
            }
        }

        private void problem(boolean crash, String what) {
            if (crash) {
                crashes++;
            }
            problems.add(what);
            System.out.println("PROBLEM (" + store + "): " + what);
        }

        private String pushPayload(String sha) {
            return new JsonObject()
                    .put("ref", "refs/heads/main").put("before", "0".repeat(40)).put("after", sha)
                    .put("created", false).put("deleted", false).put("forced", false)
                    .put("repository", new JsonObject().put("id", 42).put("name", "fns").put("full_name", "octo/fns")
                            .put("private", false).put("owner", new JsonObject().put("login", "octo").put("name", "octo"))
                            .put("clone_url", cloneUrl).put("default_branch", "main"))
                    .put("pusher", new JsonObject().put("name", "octo"))
                    .put("installation", new JsonObject().put("id", INSTALLATION)).encode();
        }
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static long count(Connection c, String sql, String value) throws Exception {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, value);
            try (ResultSet rows = q.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.out.println("could not delete " + root + ": " + e);
        }
    }

    private static void writeStack(Path repo, String function) throws IOException {
        Files.writeString(repo.resolve("stack.yml"), """
                provider:
                  name: openfaas
                functions:
                  %s:
                    lang: python3
                    handler: ./%s
                """.formatted(function, function));
        Files.createDirectories(repo.resolve(function));
        Files.writeString(repo.resolve(function).resolve("requirements.txt"), "");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
