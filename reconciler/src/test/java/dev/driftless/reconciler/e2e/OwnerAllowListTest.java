package dev.driftless.reconciler.e2e;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.webhook.WebhookVerifier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The owner allow-list (OpenFaaS Cloud's CUSTOMERS): a push from an owner outside it is recorded,
 * builds nothing, and gets a failed {@code driftless/stack} status saying why, posted once.
 */
class OwnerAllowListTest {
    private static final String SECRET = "allow-list-secret";
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    private Daemon daemon;
    private WireMockServer github;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (github != null) {
            github.stop();
        }
    }

    @Test
    void aRefusedOwnerIsToldWhyOnTheCommit() throws Exception {
        github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        github.start();
        github.stubFor(post(urlMatching("/repos/.*/statuses/.*")).willReturn(aResponse().withStatus(201).withBody("{}")));
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_GITHUB_WEBHOOK_SECRET", SECRET,
                "DRIFTLESS_GITHUB_TOKEN", "ghp_allowListTestToken0123456789",
                "DRIFTLESS_GITHUB_API_URL", github.baseUrl(),
                "DRIFTLESS_ALLOWED_OWNERS", "acme")).load(Optional.empty()), List.of(functions));

        JsonObject owner = new JsonObject().put("login", "Mallory").put("name", "Mallory");
        byte[] body = new JsonObject()
                .put("ref", "refs/heads/main").put("before", "0".repeat(40)).put("after", SHA)
                .put("created", true).put("deleted", false).put("forced", false)
                .put("repository", new JsonObject().put("id", 7).put("name", "fns").put("full_name", "Mallory/fns")
                        .put("private", false).put("owner", owner).put("default_branch", "main")
                        .put("clone_url", "https://github.invalid/Mallory/fns.git"))
                .put("pusher", new JsonObject().put("name", "mallory"))
                .encode().getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + daemon.httpPort() + "/webhooks/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "allow-list-1").header("X-Hub-Signature-256", new WebhookVerifier(SECRET).sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, answer.statusCode(), answer.body());

        E2e.await("the refusal status", Duration.ofSeconds(30),
                () -> github.findAll(postRequestedFor(urlMatching("/repos/mallory/fns/statuses/" + SHA))).size(),
                n -> ((Integer) n) >= 1);
        E2e.awaitStatusPasses(functions, 3); // a second status would be sent in one of these passes
        List<LoggedRequest> posted = github.findAll(postRequestedFor(urlMatching("/repos/.*/statuses/.*")));
        assertEquals(1, posted.size(), "exactly one status");
        JsonObject status = new JsonObject(posted.get(0).getBodyAsString());
        assertEquals("driftless/stack", status.getString("context"));
        assertEquals("failure", status.getString("state"));
        assertEquals("owner 'mallory' is not allowed on this Driftless", status.getString("description"));
        assertEquals(0L, (long) daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT COUNT(*) FROM jobs");
                 ResultSet rows = q.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }), "nothing is built for a refused owner");
    }
}
