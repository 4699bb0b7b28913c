package dev.driftless.reconciler;

import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.testsupport.RealComponent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every push, installation, installation_repositories and ping example GitHub's SDK team publishes
 * ({@code @octokit/webhooks-examples}, fetched by scripts/test.sh), signed and posted to a running daemon:
 * each is acknowledged, stored once with an outcome (pings are answered by the handler and not stored), and only
 * pushes to the default branch queue a reconcile.
 */
class WebhookExamplesIntakeTest {
    private static final String SECRET = "examples-secret";
    private static final Set<String> EVENTS = Set.of("push", "installation", "installation_repositories", "ping");

    @TempDir
    Path dir;
    Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void everyExampleIsStoredOnceWithItsOutcome() throws Exception {
        JsonArray index = new JsonArray(Files.readString(Path.of(RealComponent.WEBHOOK_EXAMPLES.require())));
        daemon = Daemon.start(new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.toString(), "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_GITHUB_WEBHOOK_SECRET", SECRET, "DRIFTLESS_WORKERS", "0")).load(Optional.empty()), List.of());
        int port = daemon.httpPort();
        List<String> expected = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < index.size(); i++) {
            JsonObject event = index.getJsonObject(i);
            if (!EVENTS.contains(event.getString("name"))) {
                continue;
            }
            for (Object example : event.getJsonArray("examples")) {
                JsonObject payload = (JsonObject) example;
                String id = "example-" + (++n);
                HttpResponse<String> answer = Webhooks.send(port, SECRET, event.getString("name"), id, payload.encode());
                assertTrue(answer.statusCode() == 202 || answer.statusCode() == 200,
                        event.getString("name") + " example " + id + ": " + answer.statusCode() + " " + answer.body());
                if (!event.getString("name").equals("ping")) { // the webhook handler answers pings itself: nothing to store
                    expected.add(id + " " + event.getString("name") + " " + outcome(event.getString("name"), payload));
                }
                assertEquals(200, Webhooks.send(port, SECRET, event.getString("name"), id, payload.encode()).statusCode(),
                        "a redelivery of " + id + " is a duplicate");
            }
        }
        assertTrue(n >= 21, "expected the 21 examples of 7.6.1, got " + n);
        List<String> stored = daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT id, event, outcome, action FROM deliveries");
                 ResultSet rows = q.executeQuery()) {
                List<String> all = new ArrayList<>();
                while (rows.next()) {
                    all.add(rows.getString(1) + " " + rows.getString(2) + " " + normalized(rows.getString(2), rows.getString(3), rows.getString(4)));
                }
                return all;
            }
        });
        assertEquals(expected.stream().sorted().toList(), stored.stream().sorted().toList());
    }

    /** Whether a push queued or coalesced depends on the examples before it; whether a deleted installation
     *  queues gc depends on the repositories known by then: both count as one expected outcome. */
    private static String normalized(String event, String outcome, String action) {
        if (event.equals("push") && (outcome.equals("queued") || outcome.equals("coalesced"))) {
            return "queued-or-coalesced";
        }
        if (event.equals("installation") && "deleted".equals(action)
                && (outcome.equals("gc-queued") || outcome.equals("recorded"))) {
            return "gc-or-recorded";
        }
        return outcome;
    }

    /** What intake must do with an example, derived from the payload independently of the parser. */
    private static String outcome(String event, JsonObject payload) {
        switch (event) {
            case "push": {
                String ref = payload.getString("ref");
                String defaultBranch = payload.getJsonObject("repository").getString("default_branch");
                if (ref.startsWith("refs/tags/")) {
                    return "tag";
                }
                if (payload.getBoolean("deleted", false)) {
                    return "branch-deleted";
                }
                return ref.equals("refs/heads/" + defaultBranch) ? "queued-or-coalesced" : "not-tracked-branch";
            }
            case "installation":
                return "deleted".equals(payload.getString("action")) ? "gc-or-recorded" : "recorded";
            default:
                JsonArray removed = payload.getJsonArray("repositories_removed", new JsonArray());
                return removed.isEmpty() ? "recorded" : "gc-queued";
        }
    }
}
