package dev.driftless.reconciler.demo;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.DaemonModule;
import dev.driftless.reconciler.GracefulStop;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.cli.ExitCode;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.reconcile.Urls;
import dev.driftless.reconciler.store.Database;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * {@code driftless demo}: the whole loop on this machine. Starts the daemon with the embedded defaults,
 * pushes a repository made from the templates' samples (java17, python3, node20) with the system git to
 * the built-in endpoint, follows the build, waits until every function answers over HTTPS and calls it,
 * then pushes a change to one function and shows that only that one was rebuilt and rolled out, with
 * the time from push to the new version serving. Running it again reuses the data folder: the functions
 * come back from the store and the next change is pushed.
 */
public final class Demo {
    static final String OWNER = "demo";
    static final String REPOSITORY = "samples";
    private static final Duration FIRST_BUILD_LIMIT = Duration.ofMinutes(10);
    private static final Duration CHANGE_LIMIT = Duration.ofMinutes(5);

    private final DriftlessConfig config;
    private final PrintStream out;
    private final PrintStream err;

    public Demo(DriftlessConfig config, PrintStream out, PrintStream err) {
        this.config = config;
        this.out = out;
        this.err = err;
    }

    /** Runs the demo; with {@code once} it stops after the checks, else it keeps serving until Ctrl-C. */
    public ExitCode run(boolean once) throws Exception {
        step("starting the daemon (data " + config.data().toAbsolutePath().normalize() + ", HTTP :" + config.httpPort()
                + ", HTTPS :" + config.httpsPort() + ")");
        List<DaemonModule> modules = new ArrayList<>();
        ServiceLoader.load(DaemonModule.class).forEach(modules::add);
        FunctionsModule functions = modules.stream().filter(FunctionsModule.class::isInstance)
                .map(FunctionsModule.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("the functions module is not on the class path"));
        Daemon daemon = Daemon.start(config, modules);
        boolean ok = false;
        try {
            ok = exercise(daemon, functions);
        } catch (Exception e) {
            err.println("demo: " + e.getMessage());
        } finally {
            if (once || !ok) {
                daemon.close();
            }
        }
        if (once || !ok) {
            step(ok ? "demo finished: everything worked" : "demo FAILED (see above)");
            return ok ? ExitCode.OK : ExitCode.RUNTIME_FAILURE;
        }
        step("serving until Ctrl-C");
        CountDownLatch stopped = GracefulStop.install(daemon);
        stopped.await();
        return ExitCode.OK;
    }

    private boolean exercise(Daemon daemon, FunctionsModule functions) throws Exception {
        Database db = daemon.context().database();
        Path ca = functions.gateway().caCertificate()
                .orElseThrow(() -> new IllegalStateException("the demo needs the generated local CA (no TLS files configured)"));
        HttpClient https = https(ca);
        Urls urls = new Urls(config.domain(), functions.gateway().httpsPort());
        String token = daemon.context().tokens().create(OWNER);
        String remote = "https://localhost:" + functions.gateway().httpsPort() + "/git/" + OWNER + "/" + REPOSITORY + ".git";

        SampleRepository repository = new SampleRepository(config.data().resolve("demo").resolve(REPOSITORY));
        long lastBuild = lastBuild(db);
        if (!repository.exists()) {
            step("creating " + repository.folder() + " from the templates' samples: hello-java (java17), "
                    + "hello-python (python3), hello-node (node20)");
            repository.create();
        }
        step("git push " + remote + " main");
        String pushOutput = repository.push(remote, token, ca);
        print(pushOutput);
        if (pushOutput.contains("up-to-date")) {
            out.println("    already pushed by an earlier run: its functions were started again from the store");
        } else {
            String first = follow(db, lastBuild, FIRST_BUILD_LIMIT);
            if (!first.startsWith("succeeded")) {
                throw new IllegalStateException("the first build did not succeed: " + first);
            }
        }

        step("waiting until every function answers over HTTPS");
        Map<String, String> answers = new TreeMap<>();
        Instant deadline = Instant.now().plus(FIRST_BUILD_LIMIT);
        for (String function : SampleRepository.FUNCTIONS.keySet()) {
            answers.put(function, awaitAnswer(https, urls.pathEndpoint(OWNER, function), null, deadline));
        }
        answers.forEach((function, answer) -> out.printf(Locale.ROOT, "    %-13s -> %s%n", function, answer));

        Map<String, Integer> releasesBefore = releases(db);
        String marker = repository.changeOneFunction();
        step("changing only " + SampleRepository.CHANGED + " and pushing again");
        long before = lastBuild(db);
        print(repository.push(remote, token, ca));
        Instant pushed = Instant.now();
        String state = follow(db, before, CHANGE_LIMIT);
        if (!state.startsWith("succeeded")) {
            throw new IllegalStateException("the build of the change did not succeed: " + state);
        }
        String answer = awaitAnswer(https, urls.pathEndpoint(OWNER, SampleRepository.CHANGED), marker,
                Instant.now().plus(CHANGE_LIMIT));
        // Polled every 0.5 s while the build log is followed: the figure is at most that much late.
        Duration servingAfter = Duration.between(pushed, Instant.now());
        Map<String, Integer> releasesAfter = releases(db);
        List<String> rolledOut = new ArrayList<>();
        releasesAfter.forEach((function, count) -> {
            if (!count.equals(releasesBefore.get(function))) {
                rolledOut.add(function);
            }
        });
        Map<String, String> outcomes = outcomes(db, lastBuild(db));
        out.printf(Locale.ROOT, "    %s -> %s%n", SampleRepository.CHANGED, answer);
        outcomes.forEach((function, reason) -> out.printf(Locale.ROOT, "    %-13s %s%n", function, reason));
        out.printf(Locale.ROOT, "    rolled out: %s; new version serving %.1f s after git push returned%n",
                rolledOut, servingAfter.toMillis() / 1000.0);
        boolean onlyOne = rolledOut.equals(List.of(SampleRepository.CHANGED));
        if (!onlyOne) {
            err.println("demo: expected only " + SampleRepository.CHANGED + " to be rolled out, but: " + rolledOut);
        }

        step("Driftless is serving");
        for (String function : SampleRepository.FUNCTIONS.keySet()) {
            out.println("    " + urls.endpoint(OWNER, function) + "   (also " + urls.pathEndpoint(OWNER, function) + ")");
        }
        out.println("    try:       curl --cacert " + ca + " " + urls.pathEndpoint(OWNER, "hello-python") + " -d Ada");
        out.println("    dashboard: " + urls.dashboard(OWNER) + "   (log in with the token below)");
        out.println("    badge:     " + urls.badge(OWNER, REPOSITORY));
        out.println("    token for " + OWNER + ": " + token);
        out.println("    admin token: printed once when " + config.data() + " was first used (stored as a hash in "
                + config.data().resolve("admin-token.sha256") + ")");
        out.println("    trust the local CA: " + ca);
        return onlyOne;
    }

    /**
     * Prints the log lines of the build newer than {@code after} until it finishes; returns its final
     * state and reason.
     */
    private String follow(Database db, long after, Duration limit) throws Exception {
        Instant deadline = Instant.now().plus(limit);
        Map<String, Integer> shown = new HashMap<>();
        long build = 0;
        while (Instant.now().isBefore(deadline)) {
            if (build == 0) {
                long newest = lastBuild(db);
                if (newest > after) {
                    build = newest;
                    step("building (build " + build + "; follow it at " + new Urls(config.domain(), config.httpsPort())
                            .buildLog(OWNER, build, null) + ")");
                }
            }
            if (build != 0) {
                long id = build;
                for (Map.Entry<String, List<String>> lines : newLines(db, id, shown).entrySet()) {
                    for (String line : lines.getValue()) {
                        out.println("    [" + (lines.getKey().isEmpty() ? "build" : lines.getKey()) + "] " + line);
                    }
                }
                String state = db.inTransaction(tx -> {
                    try (PreparedStatement q = tx.prepareStatement("SELECT state, reason FROM builds WHERE id = ?")) {
                        q.setLong(1, id);
                        try (ResultSet rows = q.executeQuery()) {
                            return rows.next() ? rows.getString(1) + ": " + rows.getString(2) : "running";
                        }
                    }
                });
                if (!state.startsWith("running")) {
                    newLines(db, id, shown).forEach((f, ls) -> ls.forEach(l -> out.println("    [" + f + "] " + l)));
                    out.println("    build " + id + " " + state);
                    return state;
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no finished build within " + limit.toMinutes() + " min");
    }

    private static Map<String, List<String>> newLines(Database db, long build, Map<String, Integer> shown)
            throws Exception {
        return db.inTransaction(tx -> {
            Map<String, List<String>> lines = new LinkedHashMap<>();
            try (PreparedStatement q = tx.prepareStatement("SELECT function_name, seq, line FROM build_log_lines "
                    + "WHERE build_id = ? ORDER BY function_name, seq")) {
                q.setLong(1, build);
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        String function = rows.getString(1);
                        int seq = rows.getInt(2);
                        if (seq >= shown.getOrDefault(function, 0)) {
                            lines.computeIfAbsent(function, f -> new ArrayList<>()).add(rows.getString(3));
                            shown.put(function, seq + 1);
                        }
                    }
                }
            }
            return lines;
        });
    }

    private static long lastBuild(Database db) throws Exception {
        return db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT COALESCE(MAX(id), 0) FROM builds WHERE owner = ? AND repository = ?")) {
                q.setString(1, OWNER);
                q.setString(2, REPOSITORY);
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    private static Map<String, Integer> releases(Database db) throws Exception {
        return db.inTransaction(tx -> {
            Map<String, Integer> counts = new TreeMap<>();
            try (PreparedStatement q = tx.prepareStatement("SELECT function_name, MAX(number) FROM releases "
                    + "WHERE owner = ? GROUP BY function_name")) {
                q.setString(1, OWNER);
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        counts.put(rows.getString(1), rows.getInt(2));
                    }
                }
            }
            return counts;
        });
    }

    private static Map<String, String> outcomes(Database db, long build) throws Exception {
        return db.inTransaction(tx -> {
            Map<String, String> outcomes = new TreeMap<>();
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT function_name, outcome, reason FROM function_builds WHERE build_id = ?")) {
                q.setLong(1, build);
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        outcomes.put(rows.getString(1), rows.getString(2) + " (" + rows.getString(3) + ")");
                    }
                }
            }
            return outcomes;
        });
    }

    /** Calls the function until it answers 200 (and, if given, with {@code expect} in the body). */
    private String awaitAnswer(HttpClient https, String url, String expect, Instant deadline) throws Exception {
        String last = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("Driftless")).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body().strip();
                if (response.statusCode() == 200 && (expect == null || response.body().contains(expect))) {
                    return response.body().strip();
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(url + " did not answer as expected in time; last answer: " + last);
    }

    private static HttpClient https(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry("driftless-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private void step(String text) {
        out.println("==> " + text);
        out.flush();
    }

    private void print(String gitOutput) {
        for (String line : gitOutput.strip().split("\n")) {
            String clean = line.replace("\r", "").strip();
            if (clean.startsWith("remote:") || clean.startsWith("To ") || clean.contains("->") || clean.contains("up-to-date")) {
                out.println("    " + clean.replaceAll("remote: Updating references:.*", "remote: refs updated"));
            }
        }
    }
}
