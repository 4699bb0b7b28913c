package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.secrets.SealingKey;
import dev.driftless.reconciler.secrets.SecretKeyRing;
import dev.driftless.reconciler.secrets.SecretStore;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.LatestStatus;
import dev.driftless.status.StatusOutbox;
import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets end to end with real git, bubblewrap and the local runtime: a value sealed with the daemon's public
 * key and pushed in alice's repository is mounted at {@code /var/openfaas/secrets/api-key} and read by her
 * function; the same sealed file pushed by bob does not open for him and his function fails naming the secret;
 * after a key rotation the function, redeployed, still reads it. The value is then looked for in the daemon's
 * log, {@code /metrics}, the dashboard's HTML, the API's answers and the store's files, and is in none of them.
 */
class SecretsEndToEndTest {
    private static final Duration BUILD = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private Daemon daemon;
    private PrintStream originalErr;
    private PrintStream originalOut;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (originalErr != null) {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
    }

    @Test
    void aSealedSecretInGitIsMountedForItsOwnerOnlyAndNeverShown() throws Exception {
        RealComponent.BWRAP.require();
        captureLogs();
        String value = "sv-" + UUID.randomUUID();
        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0", "DRIFTLESS_HTTPS_PORT", "0", "DRIFTLESS_RESYNC_INTERVAL", "1h"))
                .load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String alice = daemon.context().tokens().create("alice");
        String bob = daemon.context().tokens().create("bob");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + daemon.httpPort();
        String site = "https://localhost:" + functions.gateway().httpsPort();

        // The owner seals with the public key the daemon serves; only the daemon can open it.
        HttpResponse<String> publicKey = E2e.get(http, api + "/api/v1/sealing-key");
        assertEquals(200, publicKey.statusCode());
        String sealed = SealingKey.fromPublicPem(publicKey.body()).seal("alice", "api-key",
                value.getBytes(StandardCharsets.UTF_8));

        Path aliceRepo = repository("alice-fns", "key=", sealed);
        E2e.git(aliceRepo, alice, "init", "-q", "-b", "main");
        push(aliceRepo, alice, api + "/git/alice/fns.git", "sealed api-key");
        awaitAnswer(https, site + "/f/alice/reader", "key=" + value);

        // Bob copies alice's sealed file into his repository: it does not open for him; his function fails by name.
        Path bobRepo = repository("bob-fns", "key=", sealed);
        E2e.git(bobRepo, bob, "init", "-q", "-b", "main");
        push(bobRepo, bob, api + "/git/bob/fns.git", "copied sealed api-key");
        StatusOutbox statuses = new StatusOutbox(daemon.context().database().dataSource());
        E2e.await("bob's reader to fail", BUILD, () -> statuses.latestStates("bob", "fns").get("driftless/reader"),
                latest -> latest != null && ((LatestStatus) latest).state() == CommitStatus.State.FAILURE);
        String reason = statuses.latestStates("bob", "fns").get("driftless/reader").description();
        assertTrue(reason.contains("api-key"), reason);
        HttpResponse<String> bobsAnswer = E2e.post(https, site + "/f/bob/reader", "");
        assertNotEquals(200, bobsAnswer.statusCode(), bobsAnswer.body());
        assertFalse(bobsAnswer.body().contains(value));
        assertTrue(secretNames(http, api, bob, "bob").isEmpty(), "nothing stored for bob");
        assertTrue(buildLogs("bob").contains("sealed secret api-key: cannot be opened for bob"), buildLogs("bob"));

        // Key rotation while the daemon runs (what 'driftless secret rotate-key' does): the redeployed function still reads it.
        SecretKeyRing rotated = SecretKeyRing.load(config.secretKeysPath()).rotate();
        assertEquals(1, new SecretStore(daemon.context().database(), rotated, Clock.systemUTC()).reencrypt());
        Files.writeString(aliceRepo.resolve("reader/handler.py"), handler("key2="));
        push(aliceRepo, alice, api + "/git/alice/fns.git", "after rotation");
        awaitAnswer(https, site + "/f/alice/reader", "key2=" + value);

        // A secret set through the API is listed with its size, never its value.
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/owners/alice/secrets/extra"))
                .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"" + value + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        HttpResponse<String> forbidden = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/owners/alice/secrets"))
                .header("Authorization", "Bearer " + bob).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forbidden.statusCode());
        assertEquals(List.of("api-key", "extra"), secretNames(http, api, alice, "alice"));

        // Everything a person or a scraper can see, and the store's files: the value is in none of them.
        List<String> seen = new ArrayList<>();
        seen.add(put.body());
        seen.add(E2e.get(http, api + "/api/v1/owners/alice/secrets").body());
        seen.add(E2e.get(http, api + "/metrics").body());
        seen.add(get(http, api + "/api/v1/owners/alice/functions/reader", alice));
        seen.add(buildLogs("alice"));
        seen.addAll(dashboardPages(https, site, alice));
        daemon.close();
        daemon = null;
        seen.add(logs.toString(StandardCharsets.UTF_8));
        assertTrue(seen.get(seen.size() - 1).contains("event=secret.stored owner=alice name=api-key"), "logs captured");
        try (var files = Files.walk(dir.resolve("data/db"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                seen.add(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        String base64 = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
        for (String text : seen) {
            assertFalse(text.contains(value), "the secret value is visible in: " + text.substring(0, Math.min(300, text.length())));
            assertFalse(text.contains(base64), "the secret value (base64) is visible");
        }
    }

    private Path repository(String name, String prefix, String sealed) throws Exception {
        Path repo = Files.createDirectories(dir.resolve(name));
        Files.writeString(repo.resolve("stack.yml"), """
                provider:
                  name: openfaas
                functions:
                  reader:
                    lang: python3
                    handler: ./reader
                    secrets:
                      - api-key
                """);
        Files.createDirectories(repo.resolve("reader"));
        Files.writeString(repo.resolve("reader/handler.py"), handler(prefix));
        Files.createDirectories(repo.resolve(".driftless/secrets"));
        Files.writeString(repo.resolve(".driftless/secrets/api-key.sealed"), sealed + "\n");
        return repo;
    }

    private static String handler(String prefix) {
        return """
                def handle(req):
                    try:
                        with open("/var/openfaas/secrets/api-key") as f:
                            return "%s" + f.read()
                    except OSError as e:
                        return "unreadable: " + type(e).__name__
                """.formatted(prefix);
    }

    private static void push(Path repo, String token, String remote, String message) throws Exception {
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", message);
        E2e.git(repo, token, "push", "-q", remote, "main");
    }

    private static void awaitAnswer(HttpClient https, String endpoint, String expected) throws Exception {
        E2e.await("'" + expected + "'", BUILD, () -> {
            HttpResponse<String> response = E2e.post(https, endpoint, "");
            return response.statusCode() + " " + response.body().strip();
        }, answer -> answer.equals("200 " + expected));
    }

    private static String get(HttpClient http, String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<String> secretNames(HttpClient http, String api, String token, String owner) throws Exception {
        io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject(
                get(http, api + "/api/v1/owners/" + owner + "/secrets", token));
        List<String> names = new ArrayList<>();
        body.getJsonArray("secrets").forEach(s -> {
            io.vertx.core.json.JsonObject secret = (io.vertx.core.json.JsonObject) s;
            assertTrue(secret.getInteger("sizeBytes") > 0);
            assertFalse(secret.containsKey("value"));
            names.add(secret.getString("name"));
        });
        return names;
    }

    private String buildLogs(String owner) throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            StringBuilder text = new StringBuilder();
            try (var q = tx.prepareStatement("SELECT l.line FROM build_log_lines l JOIN builds b ON b.id = l.build_id "
                    + "WHERE b.owner = ? ORDER BY l.build_id, l.seq")) {
                q.setString(1, owner);
                try (var rows = q.executeQuery()) {
                    while (rows.next()) {
                        text.append(rows.getString(1)).append('\n');
                    }
                }
            }
            return text.toString();
        });
    }

    /** The owner's dashboard pages as a logged-in browser gets them. */
    private List<String> dashboardPages(HttpClient trusting, String site, String token) throws Exception {
        HttpClient browser = HttpClient.newBuilder().sslContext(trusting.sslContext()).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(site + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        List<String> pages = new ArrayList<>();
        for (String path : List.of("/dashboard/alice", "/dashboard/alice/functions/reader", "/dashboard/alice/repos/fns",
                "/dashboard/alice/builds/1", "/dashboard/alice/builds/1/log", "/dashboard/alice/audit")) {
            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(site + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), path + ": " + page.body());
            pages.add(page.body());
        }
        assertTrue(pages.get(1).contains("reader"), "the function page is the logged-in one");
        return pages;
    }

    /** Daemon logs (slf4j-simple writes to System.err) and anything printed, kept as well as shown. */
    private void captureLogs() {
        originalErr = System.err;
        originalOut = System.out;
        System.setErr(new PrintStream(new Tee(originalErr, logs), true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new Tee(originalOut, logs), true, StandardCharsets.UTF_8));
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
