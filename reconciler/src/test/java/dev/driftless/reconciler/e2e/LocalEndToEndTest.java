package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.LatestStatus;
import dev.driftless.status.StatusOutbox;
import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main loop with real parts only: the system {@code git} pushes to the daemon's built-in endpoint,
 * the builder runs the handler's unit tests and pushes the image to a real {@code docker-registry}, the
 * local runtime runs it under bubblewrap, and the HTTPS gateway answers with the handler's output.
 * Then a push that breaks a unit test fails its status and badge while the old version keeps
 * answering, and a rollback through the API brings back the older version.
 */
class LocalEndToEndTest {
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
    void pushBuildServeFailKeepServingAndRollBack() throws Exception {
        String registry = RealComponent.REGISTRY.require();
        RealComponent.BWRAP.require();
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_REGISTRY", registry,
                "DRIFTLESS_REGISTRY_INSECURE", "true",
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String token = daemon.context().tokens().create("alice");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + daemon.httpPort();
        String endpoint = "https://localhost:" + functions.gateway().httpsPort() + "/f/alice/hello";
        StatusOutbox statuses = new StatusOutbox(daemon.context().database().dataSource());

        Path repo = Files.createDirectories(dir.resolve("fns"));
        Files.writeString(repo.resolve("stack.yml"), """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                    image: alice/hello:latest
                """);
        writeHello(repo, "v1", "v1");
        E2e.git(repo, null, "init", "-q", "-b", "main");
        String remote = api + "/git/alice/fns.git";

        // 1. First push: built, tested, pushed to the registry, deployed, answering over HTTPS.
        commitAndPush(repo, token, remote, "v1");
        awaitAnswer(https, endpoint, "hello v1");
        awaitState(statuses, "driftless/stack", CommitStatus.State.SUCCESS);
        assertEquals(CommitStatus.State.SUCCESS, statuses.latestStates("alice", "fns").get("driftless/hello").state());
        assertTrue(badge(http, api).contains(">passing<"), "passing badge");
        String image = currentImage();
        assertTrue(image.startsWith(registry + "/alice/fns/hello@sha256:"), image);
        HttpResponse<String> manifest = http.send(HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/alice/fns/hello/manifests/"
                + image.substring(image.indexOf('@') + 1))).header("Accept", "application/vnd.oci.image.manifest.v1+json,"
                + "application/vnd.docker.distribution.manifest.v2+json").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, manifest.statusCode(), "the deployed digest is in the registry");

        // 2. A second good version.
        writeHello(repo, "v2", "v2");
        commitAndPush(repo, token, remote, "v2");
        awaitAnswer(https, endpoint, "hello v2");

        // 3. A push whose unit test fails: failure status, failing badge, v2 still answering.
        writeHello(repo, "v3", "v2");
        String broken = commitAndPush(repo, token, remote, "v3 breaks its test");
        E2e.await("the broken build to fail", BUILD, () -> statuses.latestStates("alice", "fns"),
                states -> {
                    @SuppressWarnings("unchecked") Map<String, LatestStatus> map = (Map<String, LatestStatus>) states;
                    LatestStatus stack = map.get("driftless/stack");
                    return stack != null && stack.sha().equals(broken) && stack.state() == CommitStatus.State.FAILURE;
                });
        LatestStatus hello = statuses.latestStates("alice", "fns").get("driftless/hello");
        assertEquals(CommitStatus.State.FAILURE, hello.state());
        assertTrue(hello.description().startsWith("unit tests failed"), hello.description());
        assertTrue(badge(http, api).contains(">failing<"), "failing badge");
        assertEquals("hello v2: e2e", E2e.post(https, endpoint, "e2e").body().strip(), "the old version keeps answering");

        // 4. Rollback through the authenticated API to release 1: v1 answers again, without a rebuild.
        HttpResponse<String> unauthorized = http.send(HttpRequest.newBuilder(URI.create(api
                + "/api/v1/owners/alice/functions/hello/rollback")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"release\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unauthorized.statusCode());
        HttpResponse<String> rollback = http.send(HttpRequest.newBuilder(URI.create(api
                + "/api/v1/owners/alice/functions/hello/rollback")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"release\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, rollback.statusCode(), "queued as a job: " + rollback.body());
        String status = api + new io.vertx.core.json.JsonObject(rollback.body()).getString("status");
        E2e.await("the rollback job to finish", Duration.ofMinutes(2), () -> new io.vertx.core.json.JsonObject(http.send(
                        HttpRequest.newBuilder(URI.create(status)).header("Authorization", "Bearer " + token).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body()),
                job -> ((io.vertx.core.json.JsonObject) job).getBoolean("finished"));
        io.vertx.core.json.JsonObject done = new io.vertx.core.json.JsonObject(http.send(HttpRequest.newBuilder(URI.create(status))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(done.getBoolean("succeeded"), done.encode());
        assertTrue(done.getString("message").startsWith("rolled back hello to release 1 as release "), done.encode());
        assertEquals("hello v1: e2e", E2e.post(https, endpoint, "e2e").body().strip());
        assertEquals(image, currentImage(), "the rollback redeployed release 1's digest");
    }

    private static void writeHello(Path repo, String version, String testExpects) throws Exception {
        Path hello = Files.createDirectories(repo.resolve("hello"));
        Files.writeString(hello.resolve("handler.py"), "def handle(req):\n    return \"hello " + version + ": \" + req.strip()\n");
        Files.writeString(hello.resolve("requirements.txt"), "");
        Files.writeString(hello.resolve("handler_test.py"), """
                import unittest
                from .handler import handle

                class HandlerTest(unittest.TestCase):
                    def test_says_its_version(self):
                        self.assertEqual(handle("x"), "hello %s: x")
                """.formatted(testExpects));
    }

    private static String commitAndPush(Path repo, String token, String remote, String message) throws Exception {
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", message);
        E2e.git(repo, token, "push", "-q", remote, "main");
        return E2e.git(repo, token, "rev-parse", "HEAD").strip();
    }

    private static void awaitAnswer(HttpClient https, String endpoint, String expected) throws Exception {
        E2e.await("the endpoint to answer '" + expected + "'", BUILD, () -> {
            HttpResponse<String> response = E2e.post(https, endpoint, "e2e");
            return response.statusCode() + " " + response.body().strip();
        }, answer -> answer.equals("200 " + expected + ": e2e"));
    }

    private static void awaitState(StatusOutbox statuses, String context, CommitStatus.State state) throws Exception {
        E2e.await(context + " to be " + state, BUILD, () -> statuses.latestStates("alice", "fns").get(context),
                latest -> latest != null && ((LatestStatus) latest).state() == state);
    }

    private static String badge(HttpClient http, String api) throws Exception {
        return E2e.get(http, api + "/badge/alice/fns.svg").body();
    }

    private String currentImage() throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT image FROM releases WHERE owner = 'alice' "
                    + "AND function_name = 'hello' AND result = 'deployed' ORDER BY number DESC LIMIT 1")) {
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    return rows.getString(1);
                }
            }
        });
    }
}
