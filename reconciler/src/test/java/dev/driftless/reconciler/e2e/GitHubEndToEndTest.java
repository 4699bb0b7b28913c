package dev.driftless.reconciler.e2e;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.testsupport.RealComponent;
import dev.driftless.webhook.GitHttpHandler;
import dev.driftless.webhook.WebhookVerifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same loop in GitHub mode: a real {@code push} example from {@code @octokit/webhooks-examples},
 * signed like GitHub signs it, whose repository URL points at a local git server that only lets the
 * installation token through; the token comes from a WireMock GitHub (App JWT exchange); the commit is
 * built and deployed; and {@code pending} then {@code success} statuses are posted for the stack and the
 * function, in that order, exactly once each.
 */
class GitHubEndToEndTest {
    private static final String SECRET = "It's a Secret to Everybody";
    private static final String INSTALLATION_TOKEN = "ghs_e2eInstallationToken0123456789";
    private static final long INSTALLATION = 4242;

    @TempDir
    Path dir;

    private Daemon daemon;
    private WireMockServer github;
    private Vertx gitServer;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (github != null) {
            github.stop();
        }
        if (gitServer != null) {
            gitServer.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSignedPushIsBuiltWithAnInstallationTokenDeployedAndReported() throws Exception {
        JsonObject payload = branchPushExample();
        String owner = payload.getJsonObject("repository").getJsonObject("owner").getString("login");
        String name = payload.getJsonObject("repository").getString("name");

        // GitHub: an App installation token exchange, and commit statuses.
        github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        github.start();
        github.stubFor(post(urlEqualTo("/app/installations/" + INSTALLATION + "/access_tokens"))
                .withHeader("Authorization", matching("Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(new JsonObject().put("token", INSTALLATION_TOKEN)
                                .put("expires_at", Instant.now().plus(Duration.ofHours(1)).toString()).encode())));
        github.stubFor(post(urlMatching("/repos/.*/statuses/[0-9a-f]{40}"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{}")));

        // A git server that lets only the installation token in, hosting the repository.
        AtomicInteger tokenChecks = new AtomicInteger();
        gitServer = Vertx.vertx();
        Router router = Router.router(gitServer);
        router.route("/git/*").handler(GitHttpHandler.builder()
                .repositoriesRoot(dir.resolve("github"))
                .authenticator((o, user, token) -> {
                    tokenChecks.incrementAndGet();
                    return INSTALLATION_TOKEN.equals(token);
                })
                .sink(changes -> { })
                .worker(gitServer.createSharedWorkerExecutor("e2e-git", 2))
                .build());
        HttpServer server = gitServer.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String cloneUrl = "http://127.0.0.1:" + server.actualPort() + "/git/upstream/hello-world.git";
        Path repo = Files.createDirectories(dir.resolve("work"));
        Files.writeString(repo.resolve("stack.yml"), """
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                """);
        Files.createDirectories(repo.resolve("hello"));
        Files.writeString(repo.resolve("hello/handler.py"), "def handle(req):\n    return \"hello from github: \" + req\n");
        E2e.git(repo, INSTALLATION_TOKEN, "init", "-q", "-b", "main");
        E2e.git(repo, INSTALLATION_TOKEN, "add", "-A");
        E2e.git(repo, INSTALLATION_TOKEN, "commit", "-q", "-m", "hello");
        E2e.git(repo, INSTALLATION_TOKEN, "push", "-q", cloneUrl, "main");
        String sha = E2e.git(repo, INSTALLATION_TOKEN, "rev-parse", "HEAD").strip();

        // The daemon, as a GitHub App.
        Path key = dir.resolve("app.pem");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_GITHUB_WEBHOOK_SECRET", SECRET,
                "DRIFTLESS_GITHUB_APP_ID", "12345",
                "DRIFTLESS_GITHUB_APP_KEY_FILE", key.toString(),
                "DRIFTLESS_GITHUB_API_URL", github.baseUrl(),
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));

        // GitHub's own example push, pointed at our git server and commit.
        JsonObject repository = payload.getJsonObject("repository");
        repository.put("clone_url", cloneUrl).put("default_branch", "main");
        payload.put("ref", "refs/heads/main").put("after", sha).put("deleted", false)
                .put("installation", new JsonObject().put("id", INSTALLATION));
        byte[] body = payload.encode().getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + daemon.httpPort() + "/webhooks/github"))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "e2e-" + System.nanoTime())
                .header("X-Hub-Signature-256", new WebhookVerifier(SECRET).sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());

        String lowerOwner = owner.toLowerCase(java.util.Locale.ROOT);
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        String endpoint = "https://localhost:" + functions.gateway().httpsPort() + "/f/" + lowerOwner + "/hello";
        E2e.await("the function to answer", Duration.ofMinutes(4), () -> {
            HttpResponse<String> response = E2e.post(https, endpoint, "octocat");
            return response.statusCode() + " " + response.body();
        }, answer -> answer.equals("200 hello from github: octocat"));
        assertTrue(tokenChecks.get() > 0, "the checkout authenticated with the installation token");

        String statusPath = "/repos/" + lowerOwner + "/" + name + "/statuses/" + sha;
        E2e.await("four statuses", Duration.ofMinutes(1),
                () -> github.findAll(postRequestedFor(urlEqualTo(statusPath))).size(), n -> ((Integer) n) >= 4);
        E2e.awaitStatusPasses(functions, 3); // a repeat would be sent in one of these passes
        List<LoggedRequest> posted = github.findAll(postRequestedFor(urlEqualTo(statusPath)));
        List<String> sequence = posted.stream().map(r -> {
            JsonObject status = new JsonObject(r.getBodyAsString());
            return status.getString("context") + " " + status.getString("state");
        }).toList();
        assertEquals(List.of("driftless/stack pending", "driftless/hello pending", "driftless/hello success",
                "driftless/stack success"), sequence, "each exactly once, in order");
        for (LoggedRequest request : posted) {
            assertTrue(request.getHeader("Authorization").endsWith(INSTALLATION_TOKEN), "statuses use the installation token");
        }
        JsonObject success = new JsonObject(posted.get(2).getBodyAsString());
        assertTrue(success.getString("description").startsWith("deployed sha256:"), success.encode());
        assertTrue(success.getString("target_url").endsWith("/hello"), success.encode());
        github.verify(1, postRequestedFor(urlEqualTo("/app/installations/" + INSTALLATION + "/access_tokens"))
                .withHeader("Accept", equalTo("application/vnd.github+json")));
    }

    /** The first example push to a branch from GitHub's SDK team's examples. */
    private static JsonObject branchPushExample() throws Exception {
        JsonArray index = new JsonArray(Files.readString(Path.of(RealComponent.WEBHOOK_EXAMPLES.require())));
        for (Object entry : index) {
            JsonObject event = (JsonObject) entry;
            if (!event.getString("name").equals("push")) {
                continue;
            }
            for (Object example : event.getJsonArray("examples")) {
                JsonObject push = (JsonObject) example;
                if (push.getString("ref").startsWith("refs/heads/") && !push.getBoolean("deleted", false)) {
                    return push.copy();
                }
            }
        }
        throw new IllegalStateException("no branch push among the examples");
    }
}
