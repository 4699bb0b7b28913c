package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.reconcile.PreviewSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Branch previews with real parts: the system {@code git} pushes to the daemon's built-in endpoint. A repository
 * whose {@code .driftless.yml} on main says {@code previews: {branches: true}} gets {@code hello--<slug>} for a
 * pushed branch, with the branch's code, while production keeps answering main's; a second push to the branch
 * updates the same preview; deleting the branch removes it (404, no process left, no record). A repository without
 * the switch gets nothing for a branch push: no job, no preview, production unchanged.
 */
class BranchPreviewEndToEndTest {
    private static final Duration BUILD = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void aPushedBranchIsPreviewedBesideProductionUpdatedByLaterPushesAndRemovedWithTheBranch() throws Exception {
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String alice = daemon.context().tokens().create("alice");
        String bob = daemon.context().tokens().create("bob");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        String api = "http://127.0.0.1:" + daemon.httpPort();
        String gateway = "https://localhost:" + functions.gateway().httpsPort() + "/f/";
        String suffix = PreviewSource.branch("feature/x").suffix();
        String preview = "hello--" + suffix;

        // main with branch previews switched on: production answers v1.
        Path repo = repository(dir.resolve("alice"), alice, "previews:\n  branches: true\n");
        String remote = api + "/git/alice/fns.git";
        E2e.git(repo, alice, "push", "-q", remote, "main");
        String main = E2e.git(repo, alice, "rev-parse", "HEAD").strip();
        awaitAnswer(https, gateway + "alice/hello", "v1");
        assertEquals(List.of("git:fns .driftless.yml " + main + " branches=true comment=true"),
                audit("alice", "previews.changed"), "the switch, read from main's .driftless.yml, is an audit entry");

        // feature/x with v2: its preview answers v2, production still v1.
        E2e.git(repo, alice, "checkout", "-q", "-b", "feature/x");
        commit(repo, alice, "v2");
        String pushed = E2e.git(repo, alice, "push", remote, "feature/x");
        assertTrue(pushed.contains("driftless: preview of branch feature/x queued: each function answers as <function>--"
                + suffix), "git tells the preview's name: " + pushed);
        awaitAnswer(https, gateway + "alice/" + preview, "v2");
        assertEquals("200 v1: x", answer(https, gateway + "alice/hello"), "production is untouched");
        assertEquals(List.of("fns--" + suffix + " " + preview), functions.previews().serving().stream()
                .map(d -> d.repository() + " " + d.function()).toList(), "under its own repository label");
        assertEquals(List.of("hello"), functions.reconciler().serving().stream().map(d -> d.function()).toList(),
                "no production release was added");

        // A later push to the branch updates the same preview.
        String v3 = commit(repo, alice, "v3");
        E2e.git(repo, alice, "push", "-q", remote, "feature/x");
        awaitAnswer(https, gateway + "alice/" + preview, "v3");
        assertEquals(List.of(preview + " " + v3 + " feature/x"), functions.previews().ofOwner("alice").stream()
                .map(p -> p.previewFunction() + " " + p.commit() + " " + p.branch().orElse("")).toList(),
                "one preview, the newest head");

        // Deleting the branch removes its preview: 404, no process, no record, no image; production keeps serving.
        String image = functions.previews().ofOwner("alice").get(0).image();
        String digest = image.substring(image.indexOf('@') + 1);
        Path index = dir.resolve("data/images/index.json");
        assertTrue(Files.readString(index).contains(digest), "the preview's image is stored");
        E2e.git(repo, alice, "push", "-q", remote, "--delete", "feature/x");
        E2e.await("the preview to be gone", Duration.ofMinutes(2),
                () -> E2e.get(https, gateway + "alice/" + preview).statusCode(), code -> ((Integer) code) == 404);
        E2e.await("its process to be removed", Duration.ofMinutes(1),
                () -> functions.runtime().list("alice", "fns--" + suffix).size(), n -> ((Integer) n) == 0);
        E2e.await("no preview to be recorded any more", Duration.ofMinutes(1),
                () -> functions.previews().ofOwner("alice").size(), n -> ((Integer) n) == 0);
        // removed after its record, so awaited too
        E2e.await("the deleted branch's image to leave the local store", Duration.ofMinutes(1),
                () -> Files.readString(index).contains(digest), stored -> !((Boolean) stored));
        String production = functions.reconciler().serving().get(0).image();
        assertTrue(Files.readString(index).contains(production.substring(production.indexOf('@') + 1)),
                "production's image stays");
        assertEquals("200 v1: x", answer(https, gateway + "alice/hello"));

        // Without the switch a branch push deploys nothing and changes nothing.
        Path plain = repository(dir.resolve("bob"), bob, null);
        String bobRemote = api + "/git/bob/fns.git";
        E2e.git(plain, bob, "push", "-q", bobRemote, "main");
        awaitAnswer(https, gateway + "bob/hello", "v1");
        List<String> jobsBefore = jobs("bob");
        E2e.git(plain, bob, "checkout", "-q", "-b", "feature/x");
        commit(plain, bob, "v2");
        assertFalse(E2e.git(plain, bob, "push", bobRemote, "feature/x").contains("preview"), "no preview is promised");
        // the push is recorded before git push returns, so its outcome is known now
        assertEquals(List.of("not-tracked-branch"), outcomes("bob", "refs/heads/feature/x"));
        assertEquals(jobsBefore, jobs("bob"), "no job was queued");
        assertTrue(functions.previews().ofOwner("bob").isEmpty());
        assertEquals(404, E2e.get(https, gateway + "bob/" + preview).statusCode());
        assertEquals("200 v1: x", answer(https, gateway + "bob/hello"));
        E2e.git(plain, bob, "push", "-q", bobRemote, "--delete", "feature/x");
        assertEquals(List.of("branch-deleted", "not-tracked-branch"), outcomes("bob", "refs/heads/feature/x"));
        assertEquals(jobsBefore, jobs("bob"), "deleting a branch without previews queues nothing either");
        assertFalse(functions.runtime().list("bob", "fns").isEmpty(), "bob's production still runs");
    }

    /** A repository with one python function answering {@code v1: <body>}, committed on main. */
    private static Path repository(Path repo, String token, String driftlessYml) throws Exception {
        Files.createDirectories(repo.resolve("hello"));
        Files.writeString(repo.resolve("stack.yml"), """
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                """);
        if (driftlessYml != null) {
            Files.writeString(repo.resolve(".driftless.yml"), driftlessYml);
        }
        E2e.git(repo, token, "init", "-q", "-b", "main");
        commit(repo, token, "v1");
        return repo;
    }

    private static String commit(Path repo, String token, String version) throws Exception {
        Files.writeString(repo.resolve("hello/handler.py"), "def handle(req):\n    return \"" + version + ": \" + req\n");
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", version);
        return E2e.git(repo, token, "rev-parse", "HEAD").strip();
    }

    private static String answer(HttpClient https, String url) throws Exception {
        HttpResponse<String> response = E2e.post(https, url, "x");
        return response.statusCode() + " " + response.body().strip();
    }

    private static void awaitAnswer(HttpClient https, String url, String version) throws Exception {
        E2e.await(url + " to answer " + version, BUILD, () -> answer(https, url), a -> a.equals("200 " + version + ": x"));
    }

    private List<String> jobs(String owner) throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT id, kind, branch FROM jobs WHERE owner = ? ORDER BY id")) {
                q.setString(1, owner);
                List<String> jobs = new ArrayList<>();
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        jobs.add(rows.getLong(1) + " " + rows.getString(2) + " " + rows.getString(3));
                    }
                }
                return jobs;
            }
        });
    }

    private List<String> audit(String owner, String action) throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT actor, detail FROM audit_log WHERE owner = ? AND action = ? ORDER BY id")) {
                q.setString(1, owner);
                q.setString(2, action);
                List<String> entries = new ArrayList<>();
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        io.vertx.core.json.JsonObject detail = new io.vertx.core.json.JsonObject(rows.getString(2));
                        entries.add(rows.getString(1) + " " + detail.getString("source") + " " + detail.getString("commit")
                                + " branches=" + detail.getBoolean("branches") + " comment=" + detail.getBoolean("comment"));
                    }
                }
                return entries;
            }
        });
    }

    /** What intake recorded for the pushes of {@code ref}, in alphabetical order. */
    private List<String> outcomes(String owner, String ref) throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT outcome FROM deliveries WHERE owner = ? AND ref = ?"
                    + " ORDER BY outcome")) {
                q.setString(1, owner);
                q.setString(2, ref);
                List<String> outcomes = new ArrayList<>();
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        outcomes.add(rows.getString(1));
                    }
                }
                return outcomes;
            }
        });
    }
}
