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
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Preview endpoints: a real {@code pull_request} example from {@code @octokit/webhooks-examples}, signed, naming a
 * feature branch of a repository served by a local git server; the PR's functions answer at
 * {@code <function>--pr-<n>} with the PR's code while production answers the old code, each gets a commit status
 * with the preview URL, a second PR beyond the per-owner limit gets a clear failed status, and closing the PR
 * removes the preview (404, no instance left, its image gone from the local store). The PR gets one comment listing
 * the preview URL (POST), which the second push edits in place (PATCH, no second POST).
 */
class PreviewEndToEndTest {
    private static final String SECRET = "It's a Secret to Everybody";
    private static final String INSTALLATION_TOKEN = "ghs_e2ePreviewToken0123456789";
    private static final long INSTALLATION = 4343;

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
    void aPullRequestGetsAPreviewBesideProductionAndClosingItRemovesThePreview() throws Exception {
        JsonObject opened = example("pull_request", "opened");
        JsonObject base = opened.getJsonObject("repository");
        String owner = base.getJsonObject("owner").getString("login").toLowerCase(java.util.Locale.ROOT);
        String name = base.getString("name");

        github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        github.start();
        github.stubFor(post(urlEqualTo("/app/installations/" + INSTALLATION + "/access_tokens"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(new JsonObject().put("token", INSTALLATION_TOKEN)
                                .put("expires_at", Instant.now().plus(Duration.ofHours(1)).toString()).encode())));
        github.stubFor(post(urlMatching("/repos/.*/statuses/[0-9a-f]{40}"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{}")));

        String comments = "/repos/" + owner + "/" + name + "/issues/7/comments";
        String comment = "/repos/" + owner + "/" + name + "/issues/comments/9001";
        github.stubFor(get(urlPathEqualTo(comments))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("[]")));
        github.stubFor(post(urlPathEqualTo(comments))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 9001, \"body\": \"x\"}")));
        github.stubFor(patch(urlPathEqualTo(comment))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 9001, \"body\": \"y\"}")));

        gitServer = Vertx.vertx();
        Router router = Router.router(gitServer);
        router.route("/git/*").handler(GitHttpHandler.builder()
                .repositoriesRoot(dir.resolve("github"))
                .authenticator((o, user, token) -> INSTALLATION_TOKEN.equals(token))
                .sink(changes -> { })
                .worker(gitServer.createSharedWorkerExecutor("e2e-git", 2))
                .build());
        HttpServer server = gitServer.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String cloneUrl = "http://127.0.0.1:" + server.actualPort() + "/git/upstream/previews.git";
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
        Files.writeString(repo.resolve("hello/handler.py"), "def handle(req):\n    return \"production: \" + req\n");
        E2e.git(repo, INSTALLATION_TOKEN, "init", "-q", "-b", "main");
        E2e.git(repo, INSTALLATION_TOKEN, "add", "-A");
        E2e.git(repo, INSTALLATION_TOKEN, "commit", "-q", "-m", "production");
        E2e.git(repo, INSTALLATION_TOKEN, "push", "-q", cloneUrl, "main");
        String mainSha = E2e.git(repo, INSTALLATION_TOKEN, "rev-parse", "HEAD").strip();
        E2e.git(repo, INSTALLATION_TOKEN, "checkout", "-q", "-b", "feature");
        Files.writeString(repo.resolve("hello/handler.py"), "def handle(req):\n    return \"preview: \" + req\n");
        E2e.git(repo, INSTALLATION_TOKEN, "commit", "-q", "-am", "try something");
        E2e.git(repo, INSTALLATION_TOKEN, "push", "-q", cloneUrl, "feature");
        String prSha = E2e.git(repo, INSTALLATION_TOKEN, "rev-parse", "HEAD").strip();

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
                "DRIFTLESS_RESYNC_INTERVAL", "1h",
                "DRIFTLESS_PREVIEWS_PER_OWNER", "1")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));

        // Production: a push to main.
        JsonObject push = example("push", null);
        push.getJsonObject("repository").mergeIn(repositoryFields(base, cloneUrl));
        push.put("ref", "refs/heads/main").put("after", mainSha).put("deleted", false)
                .put("installation", new JsonObject().put("id", INSTALLATION));
        deliver("push", push);
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        String gateway = "https://localhost:" + functions.gateway().httpsPort() + "/f/" + owner + "/";
        E2e.await("production to answer", Duration.ofMinutes(4),
                () -> answer(https, gateway + "hello"), a -> a.equals("200 production: x"));

        // The pull request from feature: its preview answers the PR's code, production the old code.
        deliver("pull_request", pullRequest(opened, base, cloneUrl, 7, prSha));
        E2e.await("the preview to answer", Duration.ofMinutes(4),
                () -> answer(https, gateway + "hello--pr-7"), a -> a.equals("200 preview: x"));
        assertEquals("200 production: x", answer(https, gateway + "hello"), "production is untouched");
        assertEquals(List.of(name + "--pr-7 hello--pr-7 " + prSha), functions.previews().serving().stream()
                .map(d -> d.repository() + " " + d.function() + " " + d.commit()).toList(),
                "recorded for routes and restarts, under its own repository label");
        assertEquals(List.of("hello"), functions.reconciler().serving().stream().map(d -> d.function()).toList(),
                "no production release was added");

        String statusPath = "/repos/" + owner + "/" + name + "/statuses/" + prSha;
        E2e.await("the preview's success status", Duration.ofMinutes(1), () -> statuses(statusPath),
                s -> ((List<?>) s).contains("driftless/hello--pr-7 success"));
        JsonObject success = posted(statusPath).stream()
                .filter(s -> s.getString("context").equals("driftless/hello--pr-7") && s.getString("state").equals("success"))
                .findFirst().orElseThrow();
        assertTrue(success.getString("target_url").endsWith("/hello--pr-7"), success.encode());
        assertTrue(success.getString("target_url").startsWith("https://" + owner + "."), success.encode());

        // The PR's one comment lists the preview URL; a second push edits that comment instead of adding one.
        E2e.await("the PR comment", Duration.ofMinutes(1),
                () -> github.findAll(postRequestedFor(urlPathEqualTo(comments))).size(), n -> ((Integer) n) == 1);
        String firstImage = functions.previews().ofOwner(owner).get(0).image();
        String firstDigest = firstImage.substring(firstImage.indexOf('@') + "@sha256:".length());
        String first = github.findAll(postRequestedFor(urlPathEqualTo(comments))).get(0).getBodyAsString();
        assertTrue(first.contains("/hello--pr-7") && first.contains(prSha.substring(0, 7)), first);
        Files.writeString(repo.resolve("hello/handler.py"), "def handle(req):\n    return \"preview 2: \" + req\n");
        E2e.git(repo, INSTALLATION_TOKEN, "commit", "-q", "-am", "try again");
        E2e.git(repo, INSTALLATION_TOKEN, "push", "-q", cloneUrl, "feature");
        String secondSha = E2e.git(repo, INSTALLATION_TOKEN, "rev-parse", "HEAD").strip();
        deliver("pull_request", pullRequest(opened, base, cloneUrl, 7, secondSha).put("action", "synchronize"));
        E2e.await("the preview of the second push", Duration.ofMinutes(4),
                () -> answer(https, gateway + "hello--pr-7"), a -> a.equals("200 preview 2: x"));
        E2e.await("the comment to be edited", Duration.ofMinutes(1),
                () -> github.findAll(patchRequestedFor(urlPathEqualTo(comment))).stream()
                        .anyMatch(r -> r.getBodyAsString().contains(secondSha.substring(0, 7))), edited -> (Boolean) edited);
        assertEquals(1, github.findAll(postRequestedFor(urlPathEqualTo(comments))).size(), "one comment, edited in place");
        String previewImage = functions.previews().ofOwner(owner).get(0).image();
        String previewDigest = previewImage.substring(previewImage.indexOf('@') + "@sha256:".length());
        Path images = dir.resolve("data/images");
        assertTrue(Files.readString(images.resolve("index.json")).contains(previewDigest), "the preview's image is stored");
        assertFalse(Files.readString(images.resolve("index.json")).contains(firstDigest),
                "the image the second push replaced left the store");

        // A second PR beyond DRIFTLESS_PREVIEWS_PER_OWNER=1 is refused with a clear status.
        deliver("pull_request", pullRequest(opened, base, cloneUrl, 8, prSha));
        E2e.await("the limit's failed status", Duration.ofMinutes(1), () -> statuses(statusPath),
                s -> ((List<?>) s).contains("driftless/previews failure"));
        JsonObject refused = posted(statusPath).stream().filter(s -> s.getString("context").equals("driftless/previews"))
                .findFirst().orElseThrow();
        assertTrue(refused.getString("description").contains("limit (DRIFTLESS_PREVIEWS_PER_OWNER) is 1"), refused.encode());
        assertEquals(404, E2e.get(https, gateway + "hello--pr-8").statusCode());

        // Closing the PR removes its preview; production keeps serving.
        JsonObject closed = pullRequest(opened, base, cloneUrl, 7, secondSha).put("action", "closed");
        deliver("pull_request", closed);
        E2e.await("the preview to be gone", Duration.ofMinutes(2),
                () -> E2e.get(https, gateway + "hello--pr-7").statusCode(), code -> ((Integer) code) == 404);
        E2e.await("its instance to be removed", Duration.ofMinutes(1),
                () -> functions.runtime().list(owner, name + "--pr-7").size(), n -> ((Integer) n) == 0);
        E2e.await("no preview to be recorded any more", Duration.ofMinutes(1),
                () -> functions.previews().ofOwner(owner).size(), n -> ((Integer) n) == 0);
        assertFalse(functions.runtime().list(owner, name).isEmpty(), "production still runs");
        assertFalse(Files.readString(images.resolve("index.json")).contains(previewDigest),
                "the closed PR's image left the local store");
        assertFalse(Files.exists(images.resolve("blobs/sha256/" + previewDigest)), "and its manifest blob too");
        String productionImage = functions.reconciler().serving().get(0).image();
        assertTrue(Files.readString(images.resolve("index.json"))
                .contains(productionImage.substring(productionImage.indexOf('@') + 1)), "production's image stays");
        E2e.await("the comment to say the previews were removed", Duration.ofMinutes(1),
                () -> github.findAll(patchRequestedFor(urlPathEqualTo(comment))).stream()
                        .anyMatch(r -> r.getBodyAsString().contains("were removed")), removed -> (Boolean) removed);
        assertEquals(1, github.findAll(postRequestedFor(urlPathEqualTo(comments))).size(), "still one comment");
        assertEquals("200 production: x", answer(https, gateway + "hello"));
    }

    private static String answer(HttpClient https, String url) throws Exception {
        HttpResponse<String> response = E2e.post(https, url, "x");
        return response.statusCode() + " " + response.body();
    }

    private List<JsonObject> posted(String path) {
        return github.findAll(postRequestedFor(urlEqualTo(path))).stream()
                .map(r -> new JsonObject(r.getBodyAsString())).toList();
    }

    private List<String> statuses(String path) {
        return posted(path).stream().map(s -> s.getString("context") + " " + s.getString("state")).toList();
    }

    private static JsonObject repositoryFields(JsonObject base, String cloneUrl) {
        return new JsonObject().put("clone_url", cloneUrl).put("default_branch", "main")
                .put("id", base.getLong("id")).put("name", base.getString("name"))
                .put("owner", base.getJsonObject("owner").copy());
    }

    /** GitHub's example PR, renumbered and pointed at our git server and the feature commit. */
    private static JsonObject pullRequest(JsonObject example, JsonObject base, String cloneUrl, int number, String sha) {
        JsonObject payload = example.copy();
        payload.put("number", number).put("installation", new JsonObject().put("id", INSTALLATION));
        payload.getJsonObject("repository").put("clone_url", cloneUrl).put("default_branch", "main");
        JsonObject pr = payload.getJsonObject("pull_request").put("number", number);
        pr.getJsonObject("head").put("sha", sha).put("ref", "feature");
        return payload;
    }

    private void deliver(String event, JsonObject payload) throws Exception {
        byte[] body = payload.encode().getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + daemon.httpPort() + "/webhooks/github"))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", "e2e-" + System.nanoTime())
                .header("X-Hub-Signature-256", new WebhookVerifier(SECRET).sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
    }

    /** The first example of {@code event} (with {@code action}, when given) among GitHub's SDK team's examples. */
    private static JsonObject example(String event, String action) throws Exception {
        JsonArray index = new JsonArray(Files.readString(Path.of(RealComponent.WEBHOOK_EXAMPLES.require())));
        for (Object entry : index) {
            JsonObject named = (JsonObject) entry;
            if (!named.getString("name").equals(event)) {
                continue;
            }
            for (Object example : named.getJsonArray("examples")) {
                JsonObject payload = (JsonObject) example;
                boolean fits = action == null
                        ? payload.getString("ref", "").startsWith("refs/heads/") && !payload.getBoolean("deleted", false)
                        : action.equals(payload.getString("action")) && payload.containsKey("installation");
                if (fits) {
                    return payload.copy();
                }
            }
        }
        throw new IllegalStateException("no " + event + " " + action + " among the examples");
    }
}
