package dev.driftless.reconciler;

import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.cli.ExitCode;
import dev.driftless.reconciler.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands that act through a running daemon's API: suspend, resume and rollback, with real HTTP. */
class ApiCommandsTest {
    @TempDir
    Path dir;

    private Daemon daemon;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void suspendResumeAndRollbackGoThroughTheApiWithTheOwnersToken() throws Exception {
        daemon = Daemon.start(new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0", "DRIFTLESS_HTTPS_PORT", "0")).load(Optional.empty()),
                List.of(new FunctionsModule()));
        String alice = daemon.context().tokens().create("alice");
        String bob = daemon.context().tokens().create("bob");
        daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement insert = tx.prepareStatement("INSERT INTO repositories (owner, name, source, clone_url, "
                    + "active, updated_at) VALUES ('alice', 'fns', 'git', '/nowhere', TRUE, CURRENT_TIMESTAMP)")) {
                return insert.executeUpdate();
            }
        });
        String url = "http://127.0.0.1:" + daemon.httpPort();

        assertEquals(ExitCode.OK, run("suspend", "alice/fns", "--url", url, "--token", alice));
        assertTrue(suspended());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("suspend: queued as job "), out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("suspending alice/fns: done"), out.toString(StandardCharsets.UTF_8));
        java.util.Map<dev.driftless.reconciler.queue.JobState, Long> depth = daemon.context().queue().depthByState();
        assertEquals(1L, depth.get(dev.driftless.reconciler.queue.JobState.SUCCEEDED), "the suspend ran as a job: " + depth);
        assertEquals(ExitCode.RUNTIME_FAILURE, run("resume", "alice/fns", "--url", url, "--token", bob));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("refused (403)"));
        assertTrue(suspended(), "another owner's token changes nothing");
        assertEquals(ExitCode.OK, run("resume", "alice/fns", "--url", url, "--token", alice));
        assertFalse(suspended());
        assertEquals(ExitCode.RUNTIME_FAILURE, run("suspend", "alice/nope", "--url", url, "--token", alice));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such repository"));

        assertEquals(ExitCode.RUNTIME_FAILURE, run("rollback", "alice/hello", "2", "--url", url, "--token", alice));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("answered 404"), err.toString(StandardCharsets.UTF_8));

        // The API answers 202 once the job is stored; the job says where it is.
        java.net.http.HttpResponse<String> accepted = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/api/v1/owners/alice/repositories/fns/resume"))
                        .header("Authorization", "Bearer " + alice).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        io.vertx.core.json.JsonObject job = new io.vertx.core.json.JsonObject(accepted.body());
        assertEquals("suspend", job.getString("kind"));
        assertEquals("/api/v1/owners/alice/jobs/" + job.getLong("job"), job.getString("status"));
        assertTrue(daemon.context().queue().find(job.getLong("job")).isPresent(), "stored before the answer");
        assertEquals(ExitCode.USAGE, run("rollback", "alice/hello", "2", "--url", url));
    }

    private ExitCode run(String... args) {
        return new Main(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(args));
    }

    private boolean suspended() throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT suspended FROM repositories WHERE owner = 'alice'")) {
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    return rows.getBoolean(1);
                }
            }
        });
    }
}
