package dev.driftless.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Authorisation, CSRF, the API and escaping, over real HTTP. */
class DashboardTest {
    static final String ADMIN = "admin-token-0123456789";
    static final String ALICE = "alice-token-0123456789";
    static final String BOB = "bob-token-0123456789";

    private Vertx vertx;
    private HttpServer server;
    private WebClient client;
    private InMemoryDashboardData data;

    static TokenVerifier tokens() {
        return token -> switch (token) {
            case ADMIN -> Optional.of(new Principal("admin", true, Set.of()));
            case ALICE -> Optional.of(new Principal("alice", false, Set.of("alice")));
            case BOB -> Optional.of(new Principal("bob", false, Set.of("bob")));
            default -> Optional.empty();
        };
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        data = new InMemoryDashboardData();
        Router router = Router.router(vertx);
        new Dashboard(data, tokens(), p -> p.admin() ? List.of("alice", "bob") : List.copyOf(p.owners()))
                .mount(vertx, router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(server.actualPort()).setFollowRedirects(false));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aWrongTokenIsRefusedAndSetsNoCookie() throws Exception {
        HttpResponse<Buffer> response = post("/login", MultiMap.caseInsensitiveMultiMap().add("token", "nope"), null);
        assertEquals(401, response.statusCode());
        assertTrue(response.cookies().isEmpty());
        assertTrue(response.bodyAsString().contains("That token is not valid."));
    }

    @Test
    void theSessionCookieIsHttpOnlySecureAndStrict() throws Exception {
        HttpResponse<Buffer> response = post("/login", MultiMap.caseInsensitiveMultiMap().add("token", ALICE), null);
        assertEquals(303, response.statusCode());
        String cookie = response.cookies().get(0);
        assertTrue(cookie.toLowerCase().contains("httponly"), cookie);
        assertTrue(cookie.contains("Secure"), cookie);
        assertTrue(cookie.contains("SameSite=Strict"), cookie);
    }

    @Test
    void anOwnerCannotSeeOrActOnAnotherOwnersFunctions() throws Exception {
        String bob = login(BOB);
        assertEquals(403, get("/dashboard/alice", bob).statusCode());
        assertEquals(403, get("/dashboard/alice/functions/hello", bob).statusCode());
        assertEquals(403, get("/dashboard/alice/builds/7/log?function=hello", bob).statusCode());
        HttpResponse<Buffer> rollback = post("/dashboard/alice/functions/hello/rollback",
                MultiMap.caseInsensitiveMultiMap().add("release", "1").add("csrf", "whatever"), bob);
        assertEquals(403, rollback.statusCode());
        assertTrue(data.rollbacks.isEmpty());
    }

    @Test
    void theAuditPageShowsTheNewestFiftyFirstAndPagesBothWays() throws Exception {
        for (long id = 1; id <= 120; id++) {
            data.audit.add(new Views.AuditRow(id, java.time.Instant.parse("2026-11-22T10:00:00Z").plusSeconds(id),
                    "alice", "deploy", "hello", "{\"release\":" + id + "}"));
        }
        String alice = login(ALICE);
        assertTrue(get("/dashboard/alice", alice).bodyAsString().contains("href=\"/dashboard/alice/audit\""),
                "linked from the owner's page");

        HttpResponse<Buffer> newest = get("/dashboard/alice/audit", alice);
        assertEquals(200, newest.statusCode());
        assertEquals(rangeDown(120, 71), auditIds(newest.bodyAsString()));
        String detail = newest.bodyAsString().replaceAll("(?s).*?<code class=\"audit-detail\">([^<]*)</code>.*", "$1");
        assertEquals("{\"release\":120}", detail.replace("&#34;", "\"").replace("&quot;", "\""), "the detail as text");
        assertTrue(newest.bodyAsString().contains("href=\"/dashboard/alice/audit?before=71\""));
        assertFalse(newest.bodyAsString().contains("id=\"audit-newer\""), "nothing newer than the newest");

        String older = get("/dashboard/alice/audit?before=71", alice).bodyAsString();
        assertEquals(rangeDown(70, 21), auditIds(older));
        assertTrue(older.contains("href=\"/dashboard/alice/audit?after=70\""));
        String oldest = get("/dashboard/alice/audit?before=21", alice).bodyAsString();
        assertEquals(rangeDown(20, 1), auditIds(oldest));
        assertFalse(oldest.contains("id=\"audit-older\""), "nothing older than the first");
        assertEquals(rangeDown(70, 21), auditIds(get("/dashboard/alice/audit?after=20", alice).bodyAsString()),
                "after= goes back to the newer page");
    }

    @Test
    void theAuditPageRefusesBadCursorsAndOtherOwners() throws Exception {
        String alice = login(ALICE);
        assertEquals(400, get("/dashboard/alice/audit?before=x", alice).statusCode());
        assertEquals(400, get("/dashboard/alice/audit?after=-1", alice).statusCode());
        assertEquals(400, get("/dashboard/alice/audit?after=1&before=5", alice).statusCode());
        assertEquals(403, get("/dashboard/alice/audit", login(BOB)).statusCode());
        assertEquals(200, get("/dashboard/alice/audit", login(ADMIN)).statusCode());
        assertTrue(get("/dashboard/alice/audit", alice).bodyAsString().contains("id=\"no-audit\""));
    }

    @Test
    void theOwnersPageListsSecretsWithoutValues() throws Exception {
        String page = get("/dashboard/alice", login(ALICE)).bodyAsString();
        assertTrue(page.contains("id=\"secrets\""), page);
        assertTrue(page.contains("<code class=\"secret-name\">api-key</code>"), page);
        assertTrue(page.contains("32 bytes"), page);
        assertTrue(page.contains("<td class=\"secret-origin\">cli</td>"), page);
        assertTrue(page.contains("2026-11-22 08:00:00 UTC"), page);
        data.secrets.clear();
        assertTrue(get("/dashboard/alice", login(ALICE)).bodyAsString().contains("id=\"no-secrets\""));
    }

    private static List<Long> auditIds(String page) {
        return java.util.regex.Pattern.compile("data-audit=\"(\\d+)\"").matcher(page).results()
                .map(m -> Long.parseLong(m.group(1))).toList();
    }

    private static List<Long> rangeDown(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(to, from).boxed()
                .sorted(java.util.Comparator.reverseOrder()).toList();
    }

    @Test
    void rollbackWithoutTheCsrfTokenIsRefused() throws Exception {
        String alice = login(ALICE);
        HttpResponse<Buffer> response = post("/dashboard/alice/functions/hello/rollback",
                MultiMap.caseInsensitiveMultiMap().add("release", "1"), alice);
        assertEquals(403, response.statusCode());
        assertTrue(response.bodyAsString().contains("CSRF"));
        assertTrue(data.rollbacks.isEmpty());
    }

    @Test
    void rollbackWithTheCsrfTokenRollsBack() throws Exception {
        String alice = login(ALICE);
        String page = get("/dashboard/alice/functions/hello", alice).bodyAsString();
        String csrf = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        HttpResponse<Buffer> response = post("/dashboard/alice/functions/hello/rollback",
                MultiMap.caseInsensitiveMultiMap().add("release", "1").add("csrf", csrf), alice);
        assertEquals(303, response.statusCode());
        assertEquals(List.of("alice/hello#1"), data.rollbacks);
        assertTrue(response.getHeader("Location").endsWith("?flash=rolled+back+hello+to+release+1+as+release+3"),
                "the form followed the job to its end: " + response.getHeader("Location"));
    }

    @Test
    void aFormPostedFromAnotherSiteIsRefusedEvenWithTheToken() throws Exception {
        String alice = login(ALICE);
        String page = get("/dashboard/alice/functions/hello", alice).bodyAsString();
        String csrf = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        // same-site too: an owner's function on alice.<domain> is same-site with the dashboard.
        for (String site : List.of("cross-site", "same-site")) {
            HttpResponse<Buffer> rollback = client.post("/dashboard/alice/functions/hello/rollback")
                    .putHeader("Cookie", alice).putHeader("Sec-Fetch-Site", site)
                    .sendForm(MultiMap.caseInsensitiveMultiMap().add("release", "1").add("csrf", csrf)).await();
            assertEquals(403, rollback.statusCode(), site);
            HttpResponse<Buffer> loginCsrf = client.post("/login").putHeader("Sec-Fetch-Site", site)
                    .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", BOB)).await();
            assertEquals(403, loginCsrf.statusCode(), site);
            assertTrue(loginCsrf.cookies().isEmpty(), "no session for a login posted from another site");
        }
        assertTrue(data.rollbacks.isEmpty());
        HttpResponse<Buffer> ours = client.post("/dashboard/alice/functions/hello/rollback")
                .putHeader("Cookie", alice).putHeader("Sec-Fetch-Site", "same-origin")
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("release", "1").add("csrf", csrf)).await();
        assertEquals(303, ours.statusCode());
        assertEquals(List.of("alice/hello#1"), data.rollbacks);
    }

    @Test
    void unauthenticatedPagesRedirectToLogin() throws Exception {
        HttpResponse<Buffer> response = get("/dashboard/alice", null);
        assertEquals(303, response.statusCode());
        assertEquals("/login", response.getHeader("Location"));
    }

    @Test
    void withoutGitHubConfiguredOnlyTheTokenLoginIsOffered() throws Exception {
        String page = get("/login", null).bodyAsString();
        assertTrue(page.contains("id=\"token\""), page);
        assertFalse(page.contains("github-login"), page);
        assertEquals(404, get("/login/github", null).statusCode());
        assertEquals(404, get("/login/github/callback?code=x&state=y", null).statusCode());
    }

    @Test
    void theApiNeedsABearerTokenForTheOwner() throws Exception {
        assertEquals(401, client.get("/api/v1/owners/alice/functions").send().await().statusCode());
        assertEquals(401, client.get("/api/v1/owners/alice/functions").putHeader("Authorization", "Bearer nope")
                .send().await().statusCode());
        assertEquals(403, client.get("/api/v1/owners/alice/functions").putHeader("Authorization", "Bearer " + BOB)
                .send().await().statusCode());
        HttpResponse<Buffer> ok = client.get("/api/v1/owners/alice/functions")
                .putHeader("Authorization", "Bearer " + ALICE).send().await();
        assertEquals(200, ok.statusCode());
        JsonObject hello = ok.bodyAsJsonObject().getJsonArray("functions").getJsonObject(0);
        assertEquals("hello", hello.getString("function"));
        assertEquals(2, hello.getInteger("release"));

        HttpResponse<Buffer> rollback = client.post("/api/v1/owners/alice/functions/hello/rollback")
                .putHeader("Authorization", "Bearer " + ALICE).sendJsonObject(new JsonObject().put("release", 1)).await();
        assertEquals(202, rollback.statusCode(), "answered once the job is stored");
        JsonObject job = rollback.bodyAsJsonObject();
        assertEquals("rollback", job.getString("kind"));
        assertEquals("queued", job.getString("state"));
        String status = "/api/v1/owners/alice/jobs/" + job.getLong("job");
        assertEquals(status, job.getString("status"));
        assertEquals(status, rollback.getHeader("Location"));
        HttpResponse<Buffer> followed = client.get(status).putHeader("Authorization", "Bearer " + ALICE).send().await();
        assertEquals(200, followed.statusCode());
        assertEquals("rolled back hello to release 1 as release 3", followed.bodyAsJsonObject().getString("message"));
        assertTrue(followed.bodyAsJsonObject().getBoolean("succeeded"));
        assertEquals(403, client.get(status).putHeader("Authorization", "Bearer " + BOB).send().await().statusCode());
        assertEquals(404, client.post("/api/v1/owners/alice/functions/hello/rollback").putHeader("Authorization",
                "Bearer " + ALICE).sendJsonObject(new JsonObject().put("release", 99)).await().statusCode(), "no such release");
        HttpResponse<Buffer> bad = client.post("/api/v1/owners/alice/functions/hello/rollback")
                .putHeader("Authorization", "Bearer " + ALICE).sendJsonObject(new JsonObject()).await();
        assertEquals(400, bad.statusCode());
    }

    @Test
    void theFunctionPageShowsWakesOfAFunctionThatScalesToZero() throws Exception {
        String alice = login(ALICE);
        assertFalse(get("/dashboard/alice/functions/hello", alice).bodyAsString().contains("id=\"scale-to-zero\""),
                "nothing about it for a function that does not scale to zero");

        data.scaleToZero = Optional.of(new Views.ScaleToZeroView(true, java.time.Duration.ofMinutes(15), 3, 1,
                Optional.of(84.4), Optional.of(112.6)));
        String page = get("/dashboard/alice/functions/hello", alice).bodyAsString();
        assertTrue(page.contains("After 15m without requests"), page);
        assertTrue(page.contains("<b id=\"sleep-state\">asleep (the next request starts it)</b>"), page);
        assertTrue(page.contains("<span id=\"wakes\">3</span>"), page);
        assertTrue(page.contains("<span id=\"failed-wakes\">1</span>"), page);
        assertTrue(page.contains("<span id=\"last-wake\">84 ms</span>"), page);
        assertTrue(page.contains("<span id=\"mean-wake\">113 ms</span>"), page);

        JsonObject api = client.get("/api/v1/owners/alice/functions/hello").putHeader("Authorization", "Bearer " + ALICE)
                .send().await().bodyAsJsonObject().getJsonObject("scaleToZero");
        assertEquals(true, api.getBoolean("asleep"), api::encode);
        assertEquals(900L, api.getLong("idleSeconds"));
        assertEquals(3L, api.getLong("wakes"));
        assertEquals(1L, api.getLong("failedWakes"));
        assertEquals(84.4, api.getDouble("lastWakeMillis"));
        assertEquals(112.6, api.getDouble("meanWakeMillis"));
    }

    @Test
    void theFunctionPageListsItsPreviewsBesideProduction() throws Exception {
        String alice = login(ALICE);
        assertFalse(get("/dashboard/alice/functions/hello", alice).bodyAsString().contains("id=\"previews\""),
                "no Previews section without previews");

        data.previews = List.of(new Views.PreviewRow("hello--pr-7", "https://alice.localhost:8443/hello--pr-7", 7,
                "c".repeat(40), "serving"));
        String page = get("/dashboard/alice/functions/hello", alice).bodyAsString();
        assertTrue(page.contains("<h2>Previews</h2>"), page);
        assertTrue(page.contains("<tr data-preview=\"hello--pr-7\">"), page);
        assertTrue(page.contains("href=\"https://alice.localhost:8443/hello--pr-7\""), page);
        assertTrue(page.contains("<td>#7</td>"), page);
        assertTrue(page.contains("<code>ccccccc</code>"), page);
        assertTrue(page.contains("<span class=\"state ok\">serving</span>"), page);
        assertTrue(page.indexOf("id=\"previews\"") < page.indexOf("id=\"releases\""), "beside production's endpoint");

        JsonObject preview = client.get("/api/v1/owners/alice/functions/hello").putHeader("Authorization", "Bearer " + ALICE)
                .send().await().bodyAsJsonObject().getJsonArray("previews").getJsonObject(0);
        assertEquals("hello--pr-7", preview.getString("function"), preview::encode);
        assertEquals("https://alice.localhost:8443/hello--pr-7", preview.getString("url"));
        assertEquals(7, preview.getInteger("pullRequest"));
        assertEquals("c".repeat(40), preview.getString("commit"));
        assertEquals("serving", preview.getString("state"));

        data.previews = List.of(new Views.PreviewRow("hello--feature-x-1a2b3c", "https://alice.localhost:8443/hello--feature-x-1a2b3c",
                0, java.util.Optional.of("feature/x"), "d".repeat(40), "serving"));
        String branchPage = get("/dashboard/alice/functions/hello", alice).bodyAsString();
        assertTrue(branchPage.contains("<td>branch <code>feature/x</code></td>"), branchPage);
        JsonObject branchPreview = client.get("/api/v1/owners/alice/functions/hello").putHeader("Authorization", "Bearer " + ALICE)
                .send().await().bodyAsJsonObject().getJsonArray("previews").getJsonObject(0);
        assertEquals("feature/x", branchPreview.getString("branch"), branchPreview::encode);
    }

    @Test
    void textFromUsersIsEscaped() throws Exception {
        data.message = "<script>alert('x')</script>";
        String page = get("/dashboard/alice", login(ALICE)).bodyAsString();
        assertFalse(page.contains("<script>alert"), page);
        // The message is the reason's title attribute: escaped as an attribute value ('>' needs no escaping there).
        assertTrue(page.contains("title=\"&lt;script>alert(&#39;x&#39;)&lt;/script>\""), page);
    }

    /** The {@code curl -I} of every page: each answer, error pages included, carries the same strict policy. */
    @Test
    void everyPageCarriesTheStrictContentSecurityPolicy() throws Exception {
        String alice = login(ALICE);
        String admin = login(ADMIN);
        List<HttpResponse<Buffer>> pages = List.of(
                get("/login", null),
                post("/login", MultiMap.caseInsensitiveMultiMap().add("token", "nope"), null),
                get("/dashboard", admin),
                get("/dashboard/alice", alice),
                get("/dashboard/alice/functions/hello", alice),
                get("/dashboard/alice/builds/7", alice),
                get("/dashboard/alice/repos/fns", alice),
                get("/dashboard/alice/functions/nope", alice),
                get("/dashboard/bob", alice),
                post("/dashboard/alice/functions/hello/rollback", MultiMap.caseInsensitiveMultiMap(), alice));
        for (HttpResponse<Buffer> page : pages) {
            assertTrue(page.getHeader("Content-Type").startsWith("text/html"), page.bodyAsString());
            assertEquals("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
                    + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'", page.getHeader("Content-Security-Policy"));
            assertEquals("nosniff", page.getHeader("X-Content-Type-Options"));
            String body = page.bodyAsString();
            assertFalse(body.matches("(?s).*<script(?![^>]*\\bsrc=\"/static/dashboard\\.js\")[^>]*>.*"), "only our script: " + body);
            assertFalse(body.matches("(?s).*\\son[a-z]+=.*"), "no inline handler: " + body);
            assertFalse(body.contains("<style") || body.contains("style="), "no inline style: " + body);
        }
        assertEquals(List.of(200, 401, 200, 200, 200, 200, 200, 404, 403, 403),
                pages.stream().map(HttpResponse::statusCode).toList());
    }

    /** {@code curl -I}: a HEAD of each page answers with the page's status and the same policy, and no body. */
    @Test
    void aHeadOfEveryPageShowsThePolicy() throws Exception {
        String alice = login(ALICE);
        for (String path : List.of("/login", "/dashboard/alice", "/dashboard/alice/functions/hello",
                "/dashboard/alice/builds/7", "/dashboard/alice/repos/fns", "/dashboard/alice/functions/nope")) {
            HttpResponse<Buffer> head = client.head(path).putHeader("Cookie", alice).send().await();
            assertEquals(path.endsWith("nope") ? 404 : 200, head.statusCode(), path);
            assertEquals(Dashboard.CONTENT_SECURITY_POLICY, head.getHeader("Content-Security-Policy"), path);
            assertTrue(head.body() == null || head.body().length() == 0, path);
        }
    }

    @Test
    void theScriptAndStyleSheetAreServedAsFilesWithTheirTypes() throws Exception {
        HttpResponse<Buffer> script = get("/static/dashboard.js", null);
        assertEquals(200, script.statusCode());
        assertTrue(script.getHeader("Content-Type").startsWith("text/javascript"));
        assertEquals("nosniff", script.getHeader("X-Content-Type-Options"));
        assertTrue(script.bodyAsString().contains("data-confirm") || script.bodyAsString().contains("dataset.confirm"));
        HttpResponse<Buffer> css = get("/static/dashboard.css", null);
        assertEquals(200, css.statusCode());
        assertTrue(css.getHeader("Content-Type").startsWith("text/css"));
        assertEquals(404, get("/static/nope.js", null).statusCode());
    }

    @Test
    void theRollbackQuestionIsDataForTheScriptNotCode() throws Exception {
        String page = get("/dashboard/alice/functions/hello", login(ALICE)).bodyAsString();
        assertTrue(page.contains("data-confirm=\"Roll back hello to release 1? Its image is redeployed"), page);
        assertFalse(page.contains("onsubmit"), page);
    }

    @Test
    void theLogLinksQueryIsUrlEncoded() throws Exception {
        data.buildFunction = "a&b c";
        String page = get("/dashboard/alice/builds/7", login(ALICE)).bodyAsString();
        assertTrue(page.contains("data-src=\"/dashboard/alice/builds/7/log?function=a%26b+c\""), page);
    }

    @Test
    void theLogEndpointReturnsLinesAfterTheOneAsked() throws Exception {
        data.logLines.addAll(List.of("one", "two", "three"));
        JsonObject chunk = get("/dashboard/alice/builds/7/log?function=hello&from=1", login(ALICE)).bodyAsJsonObject();
        assertEquals(List.of("two", "three"), chunk.getJsonArray("lines").getList());
        assertFalse(chunk.getBoolean("done"));
    }

    @Test
    void aRepositoryIsSuspendedAndResumedThroughTheApiAndTheForm() throws Exception {
        assertEquals(403, client.post("/api/v1/owners/alice/repositories/fns/suspend")
                .putHeader("Authorization", "Bearer " + BOB).send().await().statusCode());
        HttpResponse<Buffer> suspended = client.post("/api/v1/owners/alice/repositories/fns/suspend")
                .putHeader("Authorization", "Bearer " + ALICE).send().await();
        assertEquals(202, suspended.statusCode(), "queued as a job");
        assertEquals("suspend", suspended.bodyAsJsonObject().getString("kind"));
        assertTrue(data.suspended);
        assertEquals(404, client.post("/api/v1/owners/alice/repositories/nope/suspend")
                .putHeader("Authorization", "Bearer " + ALICE).send().await().statusCode());

        String alice = login(ALICE);
        String page = get("/dashboard/alice/repos/fns", alice).bodyAsString();
        assertTrue(page.contains("id=\"suspended\""));
        assertEquals(403, post("/dashboard/alice/repos/fns/resume", MultiMap.caseInsensitiveMultiMap(), alice).statusCode(),
                "no CSRF token, no change");
        assertTrue(data.suspended);
        String csrf = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        assertEquals(303, post("/dashboard/alice/repos/fns/resume",
                MultiMap.caseInsensitiveMultiMap().add("csrf", csrf), alice).statusCode());
        assertFalse(data.suspended);
    }

    private String login(String token) throws Exception {
        HttpResponse<Buffer> response = post("/login", MultiMap.caseInsensitiveMultiMap().add("token", token), null);
        assertEquals(303, response.statusCode());
        String cookie = response.cookies().get(0);
        assertNotNull(cookie);
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private HttpResponse<Buffer> get(String path, String cookie) throws Exception {
        var request = client.get(path);
        if (cookie != null) {
            request.putHeader("Cookie", cookie);
        }
        return request.send().await();
    }

    private HttpResponse<Buffer> post(String path, MultiMap form, String cookie) throws Exception {
        var request = client.post(path);
        if (cookie != null) {
            request.putHeader("Cookie", cookie);
        }
        return request.sendForm(form).await();
    }
}
