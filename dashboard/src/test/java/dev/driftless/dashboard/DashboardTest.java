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
    void textFromUsersIsEscaped() throws Exception {
        data.message = "<script>alert('x')</script>";
        String page = get("/dashboard/alice", login(ALICE)).bodyAsString();
        assertFalse(page.contains("<script>alert"));
        assertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
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
