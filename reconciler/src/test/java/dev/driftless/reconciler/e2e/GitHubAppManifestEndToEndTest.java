package dev.driftless.reconciler.e2e;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.Webhooks;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.github.AppManifestFlow;
import dev.driftless.reconciler.github.StoredGitHubApp;
import dev.driftless.webhook.GitHttpHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The App manifest flow against a WireMock GitHub: the loopback page posts the manifest, GitHub's
 * redirect brings the code back, the code is exchanged (POST /app-manifests/{code}/conversions) for App
 * id, PEM and webhook secret, which are stored in the data folder; then a daemon started on that data
 * folder, with no GitHub setting of its own, accepts a push signed with the stored webhook secret, checks
 * it out with an installation token got with a JWT signed by the stored key, and reports it.
 */
class GitHubAppManifestEndToEndTest {
    private static final long APP_ID = 31337;
    private static final long INSTALLATION = 7;
    private static final String WEBHOOK_SECRET = "whsec-from-the-manifest-conversion";
    private static final String INSTALLATION_TOKEN = "ghs_manifestInstallationToken0123";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private WireMockServer github;
    private Vertx gitServer;
    private Daemon daemon;

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
    void theCodeExchangeStoresTheAppAndAPushIsThenReportedWithItsCredentials() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(pair.getPrivate()); // PKCS#1, as GitHub hands it out
        }
        assertTrue(pem.toString().startsWith("-----BEGIN RSA PRIVATE KEY-----"));

        github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        github.start();
        github.stubFor(post(urlEqualTo("/app-manifests/c0de123/conversions"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(new JsonObject().put("id", APP_ID).put("slug", "driftless-test").put("name", "driftless-test")
                                .put("html_url", "https://github.example/apps/driftless-test")
                                .put("client_id", "Iv1.manifestclient").put("client_secret", "manifest-client-secret")
                                .put("webhook_secret", WEBHOOK_SECRET).put("pem", pem.toString())
                                .put("owner", new JsonObject().put("login", "alice")).encode())));

        // 1. The loopback page and GitHub's redirect back to it.
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        StoredGitHubApp stored;
        try (AppManifestFlow flow = new AppManifestFlow(URI.create("https://github.example"), URI.create(github.baseUrl()),
                data, null, "driftless-test", URI.create("https://driftless.example.com"),
                URI.create("https://driftless.example.com:8443"))) {
            URI page = flow.start(0);
            HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, start.statusCode());
            Matcher action = Pattern.compile("action=\"https://github\\.example/settings/apps/new\\?state=([0-9a-f]{32})\"").matcher(start.body());
            assertTrue(action.find(), start.body());
            String state = action.group(1);
            Matcher hidden = Pattern.compile("name=\"manifest\" value=\"([^\"]+)\"").matcher(start.body());
            assertTrue(hidden.find(), start.body());
            JsonObject manifest = new JsonObject(hidden.group(1).replace("&quot;", "\"").replace("&amp;", "&"));
            assertEquals(new JsonObject().put("statuses", "write").put("checks", "write").put("contents", "read")
                    .put("metadata", "read").put("pull_requests", "read"), manifest.getJsonObject("default_permissions"));
            assertEquals(List.of("push", "pull_request"), manifest.getJsonArray("default_events").getList());
            assertEquals("https://driftless.example.com/webhooks/github", manifest.getJsonObject("hook_attributes").getString("url"));
            assertEquals(page.resolve("/callback").toString(), manifest.getString("redirect_url"));
            assertEquals(List.of("https://driftless.example.com:8443/login/github/callback"), manifest.getJsonArray("callback_urls").getList());

            HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(page.resolve("/callback?code=c0de123&state=" + "0".repeat(32)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, forged.statusCode(), "a callback with another state is refused");
            assertEquals(0, github.findAll(postRequestedFor(urlMatching("/app-manifests/.*"))).size());

            HttpResponse<String> back = HTTP.send(HttpRequest.newBuilder(page.resolve("/callback?code=c0de123&state=" + state)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, back.statusCode(), back.body());
            assertTrue(back.body().contains("https://github.example/apps/driftless-test/installations/new"), back.body());
            stored = flow.await(Duration.ofSeconds(10));
        }
        List<LoggedRequest> conversions = github.findAll(postRequestedFor(urlEqualTo("/app-manifests/c0de123/conversions")));
        assertEquals(1, conversions.size(), "the code is exchanged once");
        assertNull(conversions.get(0).getHeader("Authorization"), "the conversion is not authenticated");
        assertEquals(APP_ID, stored.id());
        Path folder = data.resolve("github-app");
        assertEquals(pem.toString(), Files.readString(folder.resolve("private-key.pem")));
        assertEquals(WEBHOOK_SECRET, Files.readString(folder.resolve("webhook-secret")));
        for (String secret : List.of("private-key.pem", "webhook-secret", "client-secret")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(secret))), secret);
        }

        // 2. A daemon on that data folder, with no GitHub setting of its own.
        github.stubFor(post(urlEqualTo("/app/installations/" + INSTALLATION + "/access_tokens"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(new JsonObject().put("token", INSTALLATION_TOKEN)
                                .put("expires_at", Instant.now().plus(Duration.ofHours(1)).toString()).encode())));
        github.stubFor(post(urlMatching("/repos/alice/fns/statuses/[0-9a-f]{40}"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{}")));
        String cloneUrl = gitServerWithOneCommit();
        Path work = dir.resolve("work");
        String sha = E2e.git(work, INSTALLATION_TOKEN, "rev-parse", "HEAD").strip();

        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", data.toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_GITHUB_API_URL", github.baseUrl(),
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        assertEquals(Optional.of(APP_ID), config.githubAppId(), "the stored App is used");
        assertEquals(Optional.of("Iv1.manifestclient"), config.githubOAuthClientId());
        daemon = Daemon.start(config, List.of(new FunctionsModule()));

        JsonObject push = new JsonObject(Webhooks.push("alice", "fns", "main", sha));
        push.getJsonObject("repository").put("clone_url", cloneUrl);
        push.put("installation", new JsonObject().put("id", INSTALLATION));
        String body = push.encode();
        assertEquals(401, Webhooks.send(daemon.httpPort(), "not the stored secret", "push", "manifest-0", body).statusCode());
        HttpResponse<String> accepted = Webhooks.send(daemon.httpPort(), WEBHOOK_SECRET, "push", "manifest-1", body);
        assertEquals(202, accepted.statusCode(), accepted.body());

        String statusPath = "/repos/alice/fns/statuses/" + sha;
        E2e.await("the push's final stack status", Duration.ofMinutes(2),
                () -> github.findAll(postRequestedFor(urlEqualTo(statusPath))).stream()
                        .map(r -> new JsonObject(r.getBodyAsString()))
                        .filter(s -> s.getString("context").equals("driftless/stack") && !s.getString("state").equals("pending"))
                        .count(), n -> ((Long) n) >= 1);
        List<LoggedRequest> statuses = github.findAll(postRequestedFor(urlEqualTo(statusPath)));
        JsonObject first = new JsonObject(statuses.get(0).getBodyAsString());
        assertEquals("driftless/stack pending", first.getString("context") + " " + first.getString("state"));
        for (LoggedRequest status : statuses) {
            assertEquals("Bearer " + INSTALLATION_TOKEN, status.getHeader("Authorization"), "statuses use the installation token");
        }
        List<LoggedRequest> exchanges = github.findAll(postRequestedFor(urlEqualTo("/app/installations/" + INSTALLATION + "/access_tokens")));
        assertFalse(exchanges.isEmpty());
        for (LoggedRequest exchange : exchanges) {
            String jwt = exchange.getHeader("Authorization").substring("Bearer ".length());
            assertEquals(String.valueOf(APP_ID), verifiedClaims(jwt, pair.getPublic()).getString("iss"),
                    "the installation token was asked for with a JWT of the stored App, signed with the stored key");
        }
    }

    /** A git server that lets only the installation token in, holding one commit with a stack.yml. */
    private String gitServerWithOneCommit() throws Exception {
        gitServer = Vertx.vertx();
        Router router = Router.router(gitServer);
        router.route("/git/*").handler(GitHttpHandler.builder()
                .repositoriesRoot(dir.resolve("github"))
                .authenticator((o, user, token) -> INSTALLATION_TOKEN.equals(token))
                .sink(changes -> { })
                .worker(gitServer.createSharedWorkerExecutor("manifest-git", 2))
                .build());
        HttpServer server = gitServer.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String cloneUrl = "http://127.0.0.1:" + server.actualPort() + "/git/upstream/fns.git";
        Path work = Files.createDirectories(dir.resolve("work"));
        // A template that does not exist: the push is reported as failed quickly, without a build.
        Files.writeString(work.resolve("stack.yml"), """
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: cobol
                    handler: ./hello
                """);
        Files.createDirectories(work.resolve("hello"));
        Files.writeString(work.resolve("hello/handler.cob"), "IDENTIFICATION DIVISION.\n");
        E2e.git(work, INSTALLATION_TOKEN, "init", "-q", "-b", "main");
        E2e.git(work, INSTALLATION_TOKEN, "add", "-A");
        E2e.git(work, INSTALLATION_TOKEN, "commit", "-q", "-m", "hello");
        E2e.git(work, INSTALLATION_TOKEN, "push", "-q", cloneUrl, "main");
        return cloneUrl;
    }

    private static JsonObject verifiedClaims(String jwt, PublicKey key) throws Exception {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, jwt);
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(key);
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])), "the JWT's signature verifies with the App's public key");
        return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }
}
