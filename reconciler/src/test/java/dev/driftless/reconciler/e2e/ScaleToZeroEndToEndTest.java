package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.testsupport.RealComponent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scale to zero through the real daemon: a python3 function labelled {@code com.openfaas.scale.zero} idles
 * past its {@code com.openfaas.scale.zero-duration}, its instance stops, then 20 concurrent requests arrive
 * over HTTPS: one start, 20 answers 200 ({@code ScaleToZeroTest} covers resyncs and pushes while asleep).
 */
class ScaleToZeroEndToEndTest {
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
    void idleFunctionStopsAndTwentyConcurrentFirstRequestsShareOneStart() throws Exception {
        RealComponent.BWRAP.require();
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String token = daemon.context().tokens().create("alice");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + daemon.httpPort();
        String endpoint = "https://localhost:" + functions.gateway().httpsPort() + "/f/alice/sleepy";

        Path repo = Files.createDirectories(dir.resolve("fns"));
        Files.writeString(repo.resolve("stack.yml"), """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  sleepy:
                    lang: python3
                    handler: ./sleepy
                    image: alice/sleepy:latest
                    labels:
                      com.openfaas.scale.zero: true
                      com.openfaas.scale.zero-duration: 2s
                """);
        writeHandler(repo, "v1");
        E2e.git(repo, null, "init", "-q", "-b", "main");
        String remote = api + "/git/alice/fns.git";
        push(repo, token, remote, "v1");
        E2e.await("sleepy to answer", BUILD, () -> E2e.post(https, endpoint, "x").body().strip(),
                body -> body.equals("sleepy v1: x"));

        // Idle past 2 s: the local runtime no longer runs it; the reconciler's view keeps it, with 0 instances.
        E2e.await("sleepy to scale to zero", Duration.ofSeconds(30),
                () -> metric(http, api, "driftless_function_sleeps_total", "owner=\"alice\",function=\"sleepy\""),
                n -> (double) n >= 1);
        List<DeployedFunction> listed = functions.runtime().listOwner("alice");
        assertEquals(1, listed.size(), "asleep and listed once, not also running: " + listed);
        assertEquals(0, listed.get(0).ready(), "no instance while asleep");
        assertEquals(0, listed.get(0).desired());
        assertEquals(1.0, metric(http, api, "driftless_image_roots", "kept_for=\"asleep\""), "its root is kept, and counted");
        assertTrue(metric(http, api, "driftless_image_roots_bytes", "kept_for=\"asleep\"") > 0);
        // Sleeping is not failing: the badge and the function's condition stay as the deploy left them.
        assertTrue(E2e.get(http, api + "/badge/alice/fns.svg").body().contains(">passing<"), "passing badge while asleep");
        JsonObject asleep = function(http, api, token);
        assertEquals("True", asleep.getString("ready"), asleep::encode);
        assertTrue(asleep.getJsonObject("scaleToZero").getBoolean("asleep"), asleep::encode);
        assertEquals(0L, asleep.getJsonObject("scaleToZero").getLong("wakes"));

        // 20 concurrent first requests: one start, 20 answers.
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(https.sendAsync(HttpRequest.newBuilder(URI.create(endpoint)).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("r" + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = calls.get(i).get();
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("sleepy v1: r" + i, response.body().strip());
        }
        assertEquals(1.0, metric(http, api, "driftless_function_wakes_total",
                "owner=\"alice\",function=\"sleepy\",result=\"started\""), "one start for 20 first requests");
        assertEquals(1.0, metric(http, api, "driftless_function_wake_seconds_count", "owner=\"alice\",function=\"sleepy\""));
        JsonObject awake = function(http, api, token).getJsonObject("scaleToZero");
        assertFalse(awake.getBoolean("asleep"), awake::encode);
        assertEquals(1L, awake.getLong("wakes"), "the dashboard counts the one start");
        assertEquals(2L, awake.getLong("idleSeconds"), "the function's own com.openfaas.scale.zero-duration");
        assertTrue(awake.getDouble("lastWakeMillis") > 0, awake::encode);
        assertTrue(E2e.get(http, api + "/badge/alice/fns.svg").body().contains(">passing<"), "passing badge after the wake");
    }

    /** The function as the dashboard's API shows it. */
    private static JsonObject function(HttpClient http, String api, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/owners/alice/functions/sleepy"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return new JsonObject(response.body());
    }

    private static void writeHandler(Path repo, String version) throws Exception {
        Path handler = Files.createDirectories(repo.resolve("sleepy"));
        Files.writeString(handler.resolve("handler.py"),
                "def handle(req):\n    return \"sleepy " + version + ": \" + req.strip()\n");
        Files.writeString(handler.resolve("requirements.txt"), "");
    }

    private static void push(Path repo, String token, String remote, String message) throws Exception {
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", message);
        E2e.git(repo, token, "push", "-q", remote, "main");
    }

    /** One sample of a series on /metrics, whatever order its labels come in; 0 when it is not there yet. */
    private static double metric(HttpClient http, String api, String name, String labels) throws Exception {
        java.util.Set<String> wanted = java.util.Set.of(labels.split(","));
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
                .matcher(E2e.get(http, api + "/metrics").body());
        while (m.find()) {
            if (java.util.Set.of(m.group(1).split(",")).equals(wanted)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
