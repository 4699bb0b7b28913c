package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.notify.Receiver;
import dev.driftless.testsupport.RealComponent;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Notifications of a real daemon: alice sets her target through the API, her repository names a Slack target in
 * {@code .driftless.yml}, and the daemon's default target (settings) is a receiver that fails, then hangs while
 * the daemon is stopped, then accepts after the restart. The system git pushes twice (the second push removes a
 * function): each target gets each of its events; the default receiver accepts each exactly once, signed with
 * the default secret, under one delivery id per event; and the changes are in the audit trail, secrets nowhere.
 */
class NotificationsEndToEndTest {
    private static final String DEFAULT_SECRET = "default-notify-secret";
    private static final String OWNER_SECRET = "owner-notify-secret";

    @TempDir
    Path dir;

    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private FunctionsModule start(String defaultUrl) throws Exception {
        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0", "DRIFTLESS_HTTPS_PORT", "0", "DRIFTLESS_RESYNC_INTERVAL", "1h",
                "DRIFTLESS_NOTIFY_URL", defaultUrl, "DRIFTLESS_NOTIFY_SECRET", DEFAULT_SECRET,
                "DRIFTLESS_NOTIFY_TIMEOUT", "2s")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        return functions;
    }

    @Test
    void pushesNotifyEveryTargetAndTheDefaultOneExactlyOnceAcrossARestart() throws Exception {
        RealComponent.BWRAP.require();
        try (Receiver fallback = new Receiver(Receiver.Mode.FAIL);
             Receiver own = new Receiver(Receiver.Mode.ACCEPT);
             Receiver slack = new Receiver(Receiver.Mode.ACCEPT)) {
            FunctionsModule functions = start(fallback.url());
            String token = daemon.context().tokens().create("alice", "admin");
            HttpClient http = HttpClient.newHttpClient();
            String api = "http://127.0.0.1:" + daemon.httpPort();

            // alice's own target, through the API: the secret goes in and never comes out.
            HttpResponse<String> put = send(http, "PUT", api + "/api/v1/owners/alice/notifications", token,
                    new JsonObject().put("url", own.url()).put("format", "json").put("secret", OWNER_SECRET)
                            .put("events", List.of("build.started", "build.succeeded", "prune")).encode());
            assertEquals(200, put.statusCode(), put.body());
            HttpResponse<String> got = send(http, "GET", api + "/api/v1/owners/alice/notifications", token, null);
            assertEquals(200, got.statusCode());
            assertTrue(new JsonObject(got.body()).getBoolean("secretSet"), got.body());
            assertFalse(got.body().contains(OWNER_SECRET), "the secret is never shown again");
            String bob = daemon.context().tokens().create("bob");
            assertEquals(403, send(http, "GET", api + "/api/v1/owners/alice/notifications", bob, null).statusCode());
            assertEquals(401, send(http, "GET", api + "/api/v1/owners/alice/notifications", null, null).statusCode());
            assertEquals(400, send(http, "PUT", api + "/api/v1/owners/alice/notifications", token,
                    "{\"url\": \"https://x.example\", \"events\": [\"build.exploded\"]}").statusCode());

            Path fns = Files.createDirectories(dir.resolve("fns"));
            Files.createDirectories(fns.resolve("hello"));
            Files.createDirectories(fns.resolve("bye"));
            Files.writeString(fns.resolve("hello/handler.py"), "def handle(req):\n    return \"hello\"\n");
            Files.writeString(fns.resolve("bye/handler.py"), "def handle(req):\n    return \"bye\"\n");
            Files.writeString(fns.resolve("stack.yml"), "provider:\n  name: openfaas\nfunctions:\n"
                    + "  hello:\n    lang: python3\n    handler: ./hello\n  bye:\n    lang: python3\n    handler: ./bye\n");
            Files.writeString(fns.resolve(".driftless.yml"), "notifications:\n  - url: " + slack.url()
                    + "\n    format: slack\n    events: [build.succeeded, prune]\n");
            E2e.git(fns, token, "init", "-q", "-b", "main");
            E2e.git(fns, token, "add", "-A");
            E2e.git(fns, token, "commit", "-q", "-m", "two functions");
            E2e.git(fns, token, "push", "-q", api + "/git/alice/fns.git", "main");
            E2e.await("build.succeeded at alice's receiver", Duration.ofMinutes(4), () -> events(own.accepted()),
                    seen -> ((List<?>) seen).contains("build.succeeded"));

            // The default receiver failed every attempt so far; now it hangs, and the daemon stops mid-delivery.
            E2e.await("the default receiver to be tried", Duration.ofMinutes(1), () -> fallback.requests().size(),
                    n -> (int) n >= 2);
            fallback.mode(Receiver.Mode.HANG);
            int tried = fallback.requests().size();
            E2e.await("a request to hang", Duration.ofMinutes(1), () -> fallback.requests().size(), n -> (int) n > tried);
            daemon.close();
            daemon = null;
            fallback.mode(Receiver.Mode.ACCEPT);
            functions = start(fallback.url());
            api = "http://127.0.0.1:" + daemon.httpPort();
            E2e.await("the default receiver to accept both events", Duration.ofMinutes(2),
                    () -> events(fallback.accepted()), seen -> ((List<?>) seen).size() >= 2);

            // The second push removes bye: a prune, and a second build.
            Files.writeString(fns.resolve("stack.yml"), "provider:\n  name: openfaas\nfunctions:\n"
                    + "  hello:\n    lang: python3\n    handler: ./hello\n");
            E2e.git(fns, token, "rm", "-q", "-r", "bye");
            E2e.git(fns, token, "commit", "-q", "-am", "bye goes");
            E2e.git(fns, token, "push", "-q", api + "/git/alice/fns.git", "main");
            E2e.await("the second build at every receiver", Duration.ofMinutes(4),
                    () -> List.of(events(fallback.accepted()), events(own.accepted()), events(slack.accepted())),
                    seen -> ((List<?>) seen).stream().allMatch(l -> ((List<?>) l).stream()
                            .filter("build.succeeded"::equals).count() == 2));

            // The default target: every event, each accepted once, every attempt signed and under one id.
            List<Receiver.Request> accepted = fallback.accepted();
            assertEquals(List.of("build.started", "build.succeeded", "build.started", "prune", "build.succeeded"),
                    events(accepted), "events in order");
            assertEquals(accepted.size(), accepted.stream().map(Receiver.Request::delivery).distinct().count(),
                    "each event accepted exactly once");
            WebhookVerifier verifier = new WebhookVerifier(DEFAULT_SECRET);
            Map<String, Set<String>> bodies = new HashMap<>();
            for (Receiver.Request r : fallback.requests()) {
                assertTrue(verifier.verify(r.body().getBytes(StandardCharsets.UTF_8), r.signature()), "signed: " + r);
                bodies.computeIfAbsent(r.delivery(), k -> new java.util.HashSet<>()).add(r.body());
            }
            assertEquals(accepted.stream().map(Receiver.Request::delivery).collect(Collectors.toSet()), bodies.keySet(),
                    "retries (before and after the restart) carry the delivery id of the one accepted");
            assertTrue(fallback.requests().size() > accepted.size(), "some attempts failed or hung");
            JsonObject succeeded = new JsonObject(accepted.get(1).body());
            assertEquals("alice", succeeded.getString("owner"));
            assertEquals("fns", succeeded.getString("repository"));
            assertEquals(40, succeeded.getString("commit").length());
            JsonObject prune = new JsonObject(accepted.get(3).body());
            assertEquals("bye", prune.getString("function"));

            // alice's target: only the events she asked for, signed with her secret.
            assertEquals(List.of("build.started", "build.succeeded", "build.started", "prune", "build.succeeded"),
                    events(own.accepted()));
            WebhookVerifier ownVerifier = new WebhookVerifier(OWNER_SECRET);
            assertTrue(own.requests().stream().allMatch(r -> ownVerifier.verify(r.body().getBytes(StandardCharsets.UTF_8),
                    r.signature())));
            // The repository's Slack target: read at the first build's checkout, so from its build.succeeded on.
            assertEquals(List.of("build.succeeded", "prune", "build.succeeded"), events(slack.accepted()));
            assertTrue(slack.accepted().stream().allMatch(r -> r.signature() == null
                    && new JsonObject(r.body()).containsKey("blocks")));

            // The changes are in the audit trail; the secrets are nowhere in what the API shows.
            String audit = send(http, "GET", api + "/api/v1/owners/alice/audit?limit=1000", token, null).body();
            List<JsonObject> changes = audit.lines().map(JsonObject::new)
                    .filter(e -> e.getString("action").equals("notifications.changed")).toList();
            assertEquals(List.of("alice", "git:fns"), changes.stream().map(e -> e.getString("actor")).toList(), audit);
            assertEquals("set", changes.get(0).getJsonObject("detail").getString("secret"));
            String deliveries = send(http, "GET", api + "/api/v1/owners/alice/notifications/deliveries", token, null).body();
            assertTrue(new JsonObject(deliveries).getJsonArray("deliveries").size() >= 10, deliveries);

            // The dashboard's settings page: the target and whether a secret is set, never the secret; a change
            // made there is audited too.
            HttpClient browser = HttpClient.newBuilder()
                    .sslContext(E2e.trusting(functions.gateway().caCertificate().orElseThrow()).sslContext())
                    .cookieHandler(new java.net.CookieManager()).followRedirects(HttpClient.Redirect.NORMAL).build();
            String site = "https://localhost:" + functions.gateway().httpsPort();
            assertEquals(200, browser.send(HttpRequest.newBuilder(URI.create(site + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + java.net.URLEncoder.encode(token,
                            StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            String settingsPage = browser.send(HttpRequest.newBuilder(URI.create(site + "/dashboard/alice/notifications"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(settingsPage.contains("<code id=\"notification-url\">" + own.url() + "</code>"), settingsPage);
            assertTrue(settingsPage.contains("<span id=\"notification-secret\">set</span>"), settingsPage);
            assertFalse(settingsPage.contains(OWNER_SECRET), "the secret is never shown again");
            java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                    .matcher(settingsPage);
            assertTrue(csrf.find());
            HttpResponse<String> saved = browser.send(HttpRequest.newBuilder(URI.create(site + "/dashboard/alice/notifications"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf=" + java.net.URLEncoder.encode(csrf.group(1),
                            StandardCharsets.UTF_8) + "&url=" + java.net.URLEncoder.encode(own.url(), StandardCharsets.UTF_8)
                            + "&format=json&events=build.failed&events=rollback&secret=&action=save")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, saved.statusCode(), saved.body());
            assertTrue(saved.body().contains("Saved."), saved.body());
            assertTrue(saved.body().contains("events: build.failed, rollback"), saved.body());
            assertTrue(saved.body().contains("<span id=\"notification-secret\">set</span>"), "an empty secret keeps it");
            HttpResponse<String> refused = browser.send(HttpRequest.newBuilder(URI.create(site + "/dashboard/alice/notifications"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf=" + java.net.URLEncoder.encode(csrf.group(1),
                            StandardCharsets.UTF_8) + "&url=ftp%3A%2F%2Fx&format=json&action=save")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, refused.statusCode());
            assertTrue(refused.body().contains("url must be an absolute http(s) URL"), refused.body());
            assertEquals(403, browser.send(HttpRequest.newBuilder(URI.create(site + "/dashboard/alice/notifications"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("url=https%3A%2F%2Fx.example&action=save")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "no CSRF token, no change");
            String auditAfter = send(http, "GET", api + "/api/v1/owners/alice/audit?limit=1000", token, null).body();
            assertEquals(3, auditAfter.lines().map(JsonObject::new)
                    .filter(e -> e.getString("action").equals("notifications.changed")).count(), auditAfter);

            for (String shown : List.of(audit, deliveries, auditAfter)) {
                assertFalse(shown.contains(OWNER_SECRET) || shown.contains(DEFAULT_SECRET), "no secret shown");
                assertFalse(shown.contains(slack.url()), "URLs shown without their path");
            }
        }
    }

    private static List<String> events(List<Receiver.Request> requests) {
        return requests.stream().map(Receiver.Request::event).toList();
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
