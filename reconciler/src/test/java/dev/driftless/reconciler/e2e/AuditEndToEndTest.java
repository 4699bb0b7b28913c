package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.Webhooks;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.testsupport.RealComponent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit trail of a real daemon: a token is created, alice pushes twice with git (push and deploy entries
 * with the commits), rolls back through the API (who, from which release, to which), suspends and resumes her
 * repository, sets a secret, logs in to the dashboard, and GitHub reports an installation; then
 * {@code GET /api/v1/owners/alice/audit} is read page by page with its cursor and holds one entry per action.
 */
class AuditEndToEndTest {
    private static final String WEBHOOK_SECRET = "audit-webhook-secret";

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
    void everyActionLeavesAnEntryReadPageByPage() throws Exception {
        RealComponent.BWRAP.require();
        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0", "DRIFTLESS_HTTPS_PORT", "0", "DRIFTLESS_RESYNC_INTERVAL", "1h",
                "DRIFTLESS_GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET)).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String token = daemon.context().tokens().create("alice", "admin");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + daemon.httpPort();
        String site = "https://localhost:" + functions.gateway().httpsPort();

        Path repo = Files.createDirectories(dir.resolve("fns/hello"));
        Files.writeString(dir.resolve("fns/stack.yml"),
                "provider:\n  name: openfaas\nfunctions:\n  hello:\n    lang: python3\n    handler: ./hello\n");
        E2e.git(dir.resolve("fns"), token, "init", "-q", "-b", "main");
        List<String> commits = new ArrayList<>();
        for (String version : List.of("v1", "v2")) {
            Files.writeString(repo.resolve("handler.py"), "def handle(req):\n    return \"hello " + version + "\"\n");
            E2e.git(dir.resolve("fns"), token, "add", "-A");
            E2e.git(dir.resolve("fns"), token, "commit", "-q", "-m", version);
            E2e.git(dir.resolve("fns"), token, "push", "-q", api + "/git/alice/fns.git", "main");
            commits.add(E2e.git(dir.resolve("fns"), token, "rev-parse", "HEAD").strip());
            E2e.await("hello " + version, Duration.ofMinutes(4), () -> E2e.post(https, site + "/f/alice/hello", "").body(),
                    body -> String.valueOf(body).strip().equals("hello " + version));
        }

        // Rollbacks, suspends and resumes are queued as jobs (202); the rollback is followed to its end.
        HttpResponse<String> queued = post(http, api + "/api/v1/owners/alice/functions/hello/rollback", token,
                "{\"release\": 1}");
        assertEquals(202, queued.statusCode(), queued.body());
        String job = api + new JsonObject(queued.body()).getString("status");
        E2e.await("the rollback job to finish", Duration.ofMinutes(2), () -> new JsonObject(get(http, job, token).body()),
                state -> ((JsonObject) state).getBoolean("finished"));
        assertEquals("hello v1", E2e.post(https, site + "/f/alice/hello", "").body().strip());
        assertEquals(202, post(http, api + "/api/v1/owners/alice/repositories/fns/suspend", token, "{}").statusCode());
        assertEquals(202, post(http, api + "/api/v1/owners/alice/repositories/fns/resume", token, "{}").statusCode());
        assertEquals(201, post(http, api + "/api/v1/owners/alice/secrets", token,
                "{\"name\": \"db-password\", \"value\": \"hidden-" + commits.get(0) + "\"}").statusCode());
        HttpClient browser = HttpClient.newBuilder().sslContext(https.sslContext()).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        assertEquals(200, browser.send(HttpRequest.newBuilder(URI.create(site + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        String installation = """
                {"action":"created","installation":{"id":77,"account":{"login":"alice","type":"User"}},\
                "repositories":[{"id":5,"name":"fns","full_name":"alice/fns","private":false}],\
                "sender":{"login":"alice"}}""";
        assertEquals(202, Webhooks.send(daemon.httpPort(), WEBHOOK_SECRET, "installation", "delivery-audit-1",
                installation).statusCode());

        // Read the whole trail, three entries a page, following the cursor.
        List<JsonObject> entries = new ArrayList<>();
        String next = api + "/api/v1/owners/alice/audit?limit=3";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> page = get(http, next, token);
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("application/x-ndjson"));
            page.body().lines().filter(l -> !l.isBlank()).map(JsonObject::new).forEach(entries::add);
            next = page.headers().firstValue("Link").map(link -> api + link.substring(1, link.indexOf('>'))).orElse(null);
            pages++;
        }
        assertTrue(pages > 1, "paged");
        Map<String, List<JsonObject>> byAction = entries.stream().collect(Collectors.groupingBy(e -> e.getString("action")));
        assertEquals(1, byAction.get("token.created").size());
        assertEquals("admin", byAction.get("token.created").get(0).getString("actor"));
        assertEquals(commits, byAction.get("push").stream().map(e -> e.getJsonObject("detail").getString("commit")).toList());
        assertTrue(byAction.get("push").stream().allMatch(e -> e.getString("actor").equals("alice")
                && e.getString("target").equals("fns")));
        assertEquals(commits, byAction.get("deploy").stream().map(e -> e.getJsonObject("detail").getString("commit")).toList());
        JsonObject rollback = byAction.get("rollback").get(0).getJsonObject("detail");
        assertEquals("alice", byAction.get("rollback").get(0).getString("actor"));
        assertEquals(2, rollback.getInteger("from"), rollback.encode());
        assertEquals(1, rollback.getInteger("to"));
        // "serving" is read when the answer has gone out; the rollback is a queued job now, so it may still be 2.
        assertTrue(List.of(2, 3).contains(rollback.getInteger("serving")), rollback.encode());
        assertTrue(rollback.getBoolean("accepted"), rollback.encode());
        assertEquals("fns", byAction.get("suspend").get(0).getString("target"));
        assertEquals(1, byAction.get("resume").size());
        assertEquals("db-password", byAction.get("secret.created").get(0).getString("target"));
        assertEquals(1, byAction.get("login").size());
        assertEquals("created", byAction.get("installation").get(0).getJsonObject("detail").getString("action"));
        for (JsonObject entry : entries) {
            assertFalse(entry.encode().contains("hidden-"), "no secret value in the audit trail");
            assertFalse(entry.encode().contains(token), "no token in the audit trail");
        }

        // The dashboard shows the same trail, newest first, and the secret by name only.
        HttpResponse<String> auditPage = browser.send(HttpRequest.newBuilder(URI.create(site + "/dashboard/alice/audit"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, auditPage.statusCode(), auditPage.body());
        List<Long> shownIds = java.util.regex.Pattern.compile("data-audit=\"(\\d+)\"").matcher(auditPage.body())
                .results().map(m -> Long.parseLong(m.group(1))).toList();
        assertEquals(entries.stream().map(e -> e.getLong("id")).sorted(java.util.Comparator.reverseOrder()).toList(),
                shownIds, "every entry of the export, newest first");
        for (String action : byAction.keySet()) {
            assertTrue(auditPage.body().contains("<td class=\"audit-action\">" + action + "</td>"), action);
        }
        assertTrue(auditPage.body().contains(commits.get(0)), "the pushed commit in the detail");
        assertTrue(auditPage.body().contains("<td class=\"audit-target\">db-password</td>"));
        assertFalse(auditPage.body().contains("hidden-"), "no secret value on the audit page");
        String ownerPage = browser.send(HttpRequest.newBuilder(URI.create(site + "/dashboard/alice")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(ownerPage.contains("<code class=\"secret-name\">db-password</code>"), ownerPage);
        assertTrue(ownerPage.contains("href=\"/dashboard/alice/audit\""), "the audit page is linked");
        assertFalse(ownerPage.contains("hidden-"), "no secret value on the owner's page");

        // Another owner's token may not read alice's trail.
        String bob = daemon.context().tokens().create("bob");
        HttpClient bobBrowser = HttpClient.newBuilder().sslContext(https.sslContext()).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        assertEquals(200, bobBrowser.send(HttpRequest.newBuilder(URI.create(site + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(bob, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(403, bobBrowser.send(HttpRequest.newBuilder(URI.create(site + "/dashboard/alice/audit")).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(403, get(http, api + "/api/v1/owners/alice/audit", bob).statusCode());
        assertEquals(401, E2e.get(http, api + "/api/v1/owners/alice/audit").statusCode());
        assertEquals(400, get(http, api + "/api/v1/owners/alice/audit?after=x", token).statusCode());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
