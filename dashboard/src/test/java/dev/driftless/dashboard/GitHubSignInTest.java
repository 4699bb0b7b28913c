package dev.driftless.dashboard;

import dev.driftless.testsupport.MutableClock;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GitHub sign-in over real HTTP, with an in-process WireMock standing in for both GitHub's web side
 * ({@code /login/oauth/...}) and its API (under {@code /api/v3}, as on GitHub Enterprise Server). The
 * client follows every redirect by hand, so each hop and cookie is checked.
 */
class GitHubSignInTest {
    private static final String CLIENT_ID = "Iv1.client-abc";
    private static final String SECRET = "client-secret-5f2b9c0e7d";
    private static final String CODE = "code-4711";
    private static final String ACCESS_TOKEN = "gho_accesstoken0123456789";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final List<String> seen = new ArrayList<>();
    private PrintStream originalErr;
    private PrintStream originalOut;
    private WireMockServer github;
    private Vertx vertx;
    private WebClient client;
    private String callback;

    @BeforeEach
    void start() throws Exception {
        // Everything logged during the test, to check that the client secret never reaches a log line.
        originalErr = System.err;
        originalOut = System.out;
        System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new Tee(originalOut, log), true, StandardCharsets.UTF_8));

        github = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        github.start();
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        callback = "http://127.0.0.1:" + server.actualPort() + "/login/github/callback";
        GitHubOAuth config = new GitHubOAuth(CLIENT_ID, SECRET, URI.create(github.baseUrl()),
                URI.create(github.baseUrl() + "/api/v3"), URI.create(callback));
        new Dashboard(new InMemoryDashboardData(), DashboardTest.tokens(),
                p -> p.admin() ? List.of("alice", "bob") : List.copyOf(p.owners()),
                Optional.of(config), Duration.ofHours(12), clock).mount(vertx, router);
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(server.actualPort()).setFollowRedirects(false));
        stubAuthorize();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            github.stop();
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
    }

    @Test
    void aMemberOfAnOrgSignsInAndSeesTheOrgsFunctionsButNoOthers() throws Exception {
        stubExchange(okJson("{\"access_token\":\"" + ACCESS_TOKEN + "\",\"token_type\":\"bearer\",\"scope\":\"read:org\"}"));
        stubUserAndOrgs();

        // 1. The dashboard sends the browser to GitHub with a fresh state bound to a Lax cookie.
        HttpResponse<Buffer> start = send("GET", "/login/github", null);
        assertEquals(303, start.statusCode());
        URI authorize = URI.create(start.getHeader("Location"));
        assertEquals(github.baseUrl() + "/login/oauth/authorize", authorize.getScheme() + "://" + authorize.getAuthority()
                + authorize.getPath());
        Map<String, String> query = query(authorize);
        assertEquals(CLIENT_ID, query.get("client_id"));
        assertEquals(callback, query.get("redirect_uri"));
        assertEquals("read:org", query.get("scope"));
        String state = query.get("state");
        assertTrue(state.length() >= 40, state);
        String stateCookie = cookie(start, GitHubSignIn.STATE_COOKIE);
        assertEquals(GitHubSignIn.STATE_COOKIE + "=" + state, stateCookie.substring(0, stateCookie.indexOf(';')));
        assertTrue(stateCookie.contains("HTTPOnly") || stateCookie.toLowerCase().contains("httponly"), stateCookie);
        assertTrue(stateCookie.contains("Secure"), stateCookie);
        assertTrue(stateCookie.contains("SameSite=Lax"), stateCookie);
        assertTrue(stateCookie.contains("Path=/login/github"), stateCookie);

        // 2. "GitHub" (WireMock) sends the browser back to the callback with a code and the same state.
        HttpResponse<Buffer> fromGitHub = sendAbs(authorize.toString(), null);
        assertEquals(302, fromGitHub.statusCode());
        URI back = URI.create(fromGitHub.getHeader("Location"));
        assertEquals(callback, back.getScheme() + "://" + back.getAuthority() + back.getPath());

        // 3. The callback checks the state, talks to GitHub, starts the session and goes to the dashboard.
        HttpResponse<Buffer> done = send("GET", back.getRawPath() + "?" + back.getRawQuery(), cookieValue(stateCookie));
        assertEquals(303, done.statusCode(), done.bodyAsString());
        assertEquals("/dashboard", done.getHeader("Location"));
        String session = cookie(done, Dashboard.SESSION_COOKIE);
        assertTrue(session.toLowerCase().contains("httponly") && session.contains("Secure")
                && session.contains("SameSite=Strict"), session);
        assertTrue(cookie(done, GitHubSignIn.STATE_COOKIE).contains("Max-Age=0"), "the state cookie is cleared");

        // What GitHub received: the code exchange with the client's credentials, then the bearer token.
        List<LoggedRequest> exchanges = github.findAll(postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));
        assertEquals(1, exchanges.size());
        LoggedRequest exchange = exchanges.get(0);
        assertEquals("application/json", exchange.getHeader("Accept"));
        Map<String, String> form = form(exchange.getBodyAsString());
        assertEquals(Map.of("client_id", CLIENT_ID, "client_secret", SECRET, "code", CODE, "redirect_uri", callback), form);
        github.verify(1, getRequestedFor(urlPathEqualTo("/api/v3/user"))
                .withHeader("Authorization", equalTo("Bearer " + ACCESS_TOKEN)));
        github.verify(1, getRequestedFor(urlPathEqualTo("/api/v3/user/orgs")).withQueryParam("per_page", equalTo("100"))
                .withQueryParam("page", absent()).withHeader("Authorization", equalTo("Bearer " + ACCESS_TOKEN)));
        github.verify(1, getRequestedFor(urlPathEqualTo("/api/v3/user/orgs")).withQueryParam("page", equalTo("2"))
                .withHeader("Authorization", equalTo("Bearer " + ACCESS_TOKEN)));

        // The principal: its own login and its organisations (both pages), lower-cased.
        String cookie = cookieValue(session);
        String owners = send("GET", "/dashboard", cookie).bodyAsString();
        assertTrue(owners.contains("href=\"/dashboard/alice\"") && owners.contains("href=\"/dashboard/acme\"")
                && owners.contains("href=\"/dashboard/tools\""), owners);
        assertEquals(200, send("GET", "/dashboard/alice", cookie).statusCode());
        assertEquals(200, send("GET", "/dashboard/alice/functions/hello", cookie).statusCode());
        assertEquals(200, send("GET", "/dashboard/acme", cookie).statusCode());
        assertEquals(200, send("GET", "/dashboard/tools", cookie).statusCode());
        assertEquals(403, send("GET", "/dashboard/other", cookie).statusCode());
        assertEquals(403, send("GET", "/dashboard/bob", cookie).statusCode());
        assertLogged("event=github_login principal=alice orgs=2");

        // The state was used once: the same callback again is refused and starts no session.
        HttpResponse<Buffer> replay = send("GET", back.getRawPath() + "?" + back.getRawQuery(), cookieValue(stateCookie));
        assertEquals(400, replay.statusCode());
        assertFalse(hasCookie(replay, Dashboard.SESSION_COOKIE));
        assertEquals(1, github.findAll(postRequestedFor(urlPathEqualTo("/login/oauth/access_token"))).size());
        assertSecretNeverShown();
    }

    @Test
    void aWrongOrMissingStateIs400AndCreatesNoSession() throws Exception {
        stubExchange(okJson("{\"access_token\":\"" + ACCESS_TOKEN + "\"}"));
        stubUserAndOrgs();
        String stateCookie = cookieValue(cookie(send("GET", "/login/github", null), GitHubSignIn.STATE_COOKIE));
        String state = stateCookie.substring(stateCookie.indexOf('=') + 1);

        HttpResponse<Buffer> wrong = send("GET", "/login/github/callback?code=" + CODE + "&state=forged", stateCookie);
        assertRefused(wrong, 400, "has expired, or was started in another browser");

        // The right state without the browser's cookie: a callback started elsewhere (login CSRF).
        String fresh = cookieValue(cookie(send("GET", "/login/github", null), GitHubSignIn.STATE_COOKIE));
        String freshState = fresh.substring(fresh.indexOf('=') + 1);
        assertRefused(send("GET", "/login/github/callback?code=" + CODE + "&state=" + freshState, null), 400,
                "started in another browser");
        assertRefused(send("GET", "/login/github/callback?code=" + CODE, fresh), 400, "missing its state");
        assertRefused(send("GET", "/login/github/callback?code=" + CODE + "&state=" + state, stateCookie), 400,
                "Sign in with GitHub again");
        github.verify(0, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));
        assertSecretNeverShown();
    }

    @Test
    void anExpiredStateIs400() throws Exception {
        stubExchange(okJson("{\"access_token\":\"" + ACCESS_TOKEN + "\"}"));
        stubUserAndOrgs();
        String stateCookie = cookieValue(cookie(send("GET", "/login/github", null), GitHubSignIn.STATE_COOKIE));
        String state = stateCookie.substring(stateCookie.indexOf('=') + 1);
        clock.advance(Duration.ofMinutes(11));
        assertRefused(send("GET", "/login/github/callback?code=" + CODE + "&state=" + state, stateCookie), 400,
                "has expired");
        github.verify(0, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));
    }

    @Test
    void aBadVerificationCodeShowsALoginErrorAndCreatesNoSession() throws Exception {
        stubExchange(okJson("{\"error\":\"bad_verification_code\",\"error_description\":\"The code passed is incorrect or "
                + "expired.\",\"error_uri\":\"https://docs.github.com/apps/troubleshooting\"}"));
        stubUserAndOrgs();
        HttpResponse<Buffer> response = signInThroughGitHub();
        assertRefused(response, 401, "GitHub did not accept the sign-in code");
        assertTrue(response.bodyAsString().contains("id=\"token\""), "the token form stays on the error page");
        github.verify(0, getRequestedFor(urlPathMatching("/api/v3/.*")));
        assertLogged("event=github_login_failed reason=token_exchange_error=bad_verification_code");
        assertSecretNeverShown();
    }

    @Test
    void gitHubRefusingTheTokenOrFailingShowsALoginErrorAndCreatesNoSession() throws Exception {
        stubExchange(okJson("{\"access_token\":\"" + ACCESS_TOKEN + "\"}"));
        github.stubFor(get(urlPathEqualTo("/api/v3/user")).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"Bad credentials\"}")));
        assertRefused(signInThroughGitHub(), 401, "GitHub did not accept the sign-in (it answered 401)");

        github.resetAll();
        stubAuthorize();
        stubExchange(aResponse().withStatus(503).withBody("unavailable"));
        assertRefused(signInThroughGitHub(), 502, "GitHub answered 503 during the sign-in");

        github.resetAll();
        stubAuthorize();
        stubExchange(okJson("{\"access_token\":\"" + ACCESS_TOKEN + "\"}"));
        github.stubFor(get(urlPathEqualTo("/api/v3/user")).willReturn(okJson("{\"login\":\"alice\"}")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user/orgs")).willReturn(aResponse()
                .withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertRefused(signInThroughGitHub(), 502, "Could not reach GitHub");
        assertSecretNeverShown();
    }

    @Test
    void talkingToGitHubDoesNotHoldUpTheEventLoop() throws Exception {
        stubExchange(okJson("{\"access_token\":\"" + ACCESS_TOKEN + "\"}").withFixedDelay(5000));
        stubUserAndOrgs();
        HttpResponse<Buffer> start = send("GET", "/login/github", null);
        String stateCookie = cookieValue(cookie(start, GitHubSignIn.STATE_COOKIE));
        URI back = URI.create(sendAbs(start.getHeader("Location"), null).getHeader("Location"));
        var slowSignIn = client.get(back.getRawPath() + "?" + back.getRawQuery()).putHeader("Cookie", stateCookie).send();
        // Wait until GitHub holds the code exchange (answering only after its delay).
        for (int i = 0; i < 400 && github.findAll(postRequestedFor(urlPathEqualTo("/login/oauth/access_token"))).isEmpty(); i++) {
            Thread.sleep(25);
        }
        github.verify(1, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));
        github.verify(0, getRequestedFor(urlPathEqualTo("/api/v3/user")));
        // Ordering, not timing: had the exchange blocked the event loop, no other page could be served before it ended.
        assertEquals(200, send("GET", "/login", null).statusCode());
        assertFalse(slowSignIn.isComplete(), "the login page was served while the sign-in still waited on GitHub");
        github.verify(0, getRequestedFor(urlPathEqualTo("/api/v3/user")));
        HttpResponse<Buffer> done = record(slowSignIn.await());
        assertEquals(303, done.statusCode(), done.bodyAsString());
        assertTrue(hasCookie(done, Dashboard.SESSION_COOKIE));
    }

    @Test
    void theUserCancellingOnGitHubShowsALoginError() throws Exception {
        String stateCookie = cookieValue(cookie(send("GET", "/login/github", null), GitHubSignIn.STATE_COOKIE));
        String state = stateCookie.substring(stateCookie.indexOf('=') + 1);
        assertRefused(send("GET", "/login/github/callback?error=access_denied&state=" + state, stateCookie), 401,
                "it was cancelled");
        github.verify(0, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));
    }

    @Test
    void aNextPageOutsideTheApiIsNotFollowedSoTheTokenStaysWithGitHub() throws Exception {
        stubExchange(okJson("{\"access_token\":\"" + ACCESS_TOKEN + "\"}"));
        github.stubFor(get(urlPathEqualTo("/api/v3/user")).willReturn(okJson("{\"login\":\"alice\"}")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user/orgs")).willReturn(okJson("[{\"login\":\"acme\"}]")
                .withHeader("Link", "<" + github.baseUrl() + "/elsewhere/orgs?page=2>; rel=\"next\"")));
        github.stubFor(get(urlPathEqualTo("/elsewhere/orgs")).willReturn(okJson("[{\"login\":\"evil\"}]")));
        String session = cookieValue(cookie(signInThroughGitHub(), Dashboard.SESSION_COOKIE));
        github.verify(0, getRequestedFor(urlPathEqualTo("/elsewhere/orgs")));
        assertEquals(200, send("GET", "/dashboard/acme", session).statusCode());
        assertEquals(403, send("GET", "/dashboard/evil", session).statusCode());
    }

    @Test
    void theLoginPageOffersGitHubAndTheTokenStillWorks() throws Exception {
        String page = send("GET", "/login", null).bodyAsString();
        assertTrue(page.contains("id=\"github-login\" href=\"/login/github\""), page);
        assertTrue(page.contains("id=\"token\""), page);
        HttpResponse<Buffer> token = client.post("/login")
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", DashboardTest.ADMIN)).await();
        assertEquals(303, token.statusCode());
        assertTrue(hasCookie(token, Dashboard.SESSION_COOKIE));
        assertFalse(page.contains(SECRET));
    }

    // --- GitHub stand-in ----------------------------------------------------------------------------

    /** The authorize page of a user who accepts at once: back to the callback with the code and the same state. */
    private void stubAuthorize() {
        github.stubFor(get(urlPathEqualTo("/login/oauth/authorize"))
                .withQueryParam("client_id", equalTo(CLIENT_ID)).withQueryParam("scope", equalTo("read:org"))
                .withQueryParam("redirect_uri", equalTo(callback))
                .willReturn(aResponse().withStatus(302)
                        .withHeader("Location", "{{request.query.redirect_uri}}?code=" + CODE + "&state={{request.query.state}}")
                        .withTransformers("response-template")));
    }

    private void stubExchange(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        github.stubFor(post(urlPathEqualTo("/login/oauth/access_token")).willReturn(answer));
    }

    /** User "Alice" in ACME (first page, with a Link to the next) and Tools (second page). */
    private void stubUserAndOrgs() {
        github.stubFor(get(urlPathEqualTo("/api/v3/user")).willReturn(okJson("{\"login\":\"Alice\",\"id\":1}")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user/orgs")).withQueryParam("page", absent())
                .willReturn(okJson("[{\"login\":\"ACME\",\"id\":2}]").withHeader("Link",
                        "<" + github.baseUrl() + "/api/v3/user/orgs?per_page=100&page=2>; rel=\"next\", <"
                                + github.baseUrl() + "/api/v3/user/orgs?per_page=100&page=2>; rel=\"last\"")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user/orgs")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("[{\"login\":\"Tools\",\"id\":3}]")));
    }

    // --- helpers ------------------------------------------------------------------------------------

    /** Start, GitHub's redirect back, and the callback's answer. */
    private HttpResponse<Buffer> signInThroughGitHub() throws Exception {
        HttpResponse<Buffer> start = send("GET", "/login/github", null);
        String stateCookie = cookieValue(cookie(start, GitHubSignIn.STATE_COOKIE));
        URI back = URI.create(sendAbs(start.getHeader("Location"), null).getHeader("Location"));
        return send("GET", back.getRawPath() + "?" + back.getRawQuery(), stateCookie);
    }

    private void assertRefused(HttpResponse<Buffer> response, int status, String message) {
        assertEquals(status, response.statusCode(), response.bodyAsString());
        assertTrue(response.bodyAsString().contains("id=\"login-error\""), response.bodyAsString());
        assertTrue(response.bodyAsString().contains(asHtmlText(message)), response.bodyAsString());
        assertFalse(hasCookie(response, Dashboard.SESSION_COOKIE), "no session");
    }

    /** {@code text} as the pages' templates escape it between tags. */
    private static String asHtmlText(String text) {
        gg.jte.output.StringOutput out = new gg.jte.output.StringOutput();
        gg.jte.html.escape.Escape.htmlContent(text, out);
        return out.toString();
    }

    private void assertLogged(String line) {
        assertTrue(log.toString(StandardCharsets.UTF_8).contains(line), "log has " + line);
    }

    /** Not in any page, header or log line this test saw (the exchange with GitHub is the only place for it). */
    private void assertSecretNeverShown() {
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("event=github_login"), "the dashboard's log lines were captured");
        assertFalse(logged.contains(SECRET), "client secret in the log");
        assertFalse(logged.contains(ACCESS_TOKEN), "access token in the log");
        assertFalse(seen.isEmpty());
        for (String answer : seen) {
            assertFalse(answer.contains(SECRET), answer);
            assertFalse(answer.contains(ACCESS_TOKEN), answer);
        }
    }

    private HttpResponse<Buffer> send(String method, String path, String cookie) throws Exception {
        var request = client.request(io.vertx.core.http.HttpMethod.valueOf(method), path);
        if (cookie != null) {
            request.putHeader("Cookie", cookie);
        }
        return record(request.send().await());
    }

    private HttpResponse<Buffer> sendAbs(String url, String cookie) throws Exception {
        var request = client.getAbs(url);
        if (cookie != null) {
            request.putHeader("Cookie", cookie);
        }
        return record(request.send().await());
    }

    private HttpResponse<Buffer> record(HttpResponse<Buffer> response) {
        seen.add(response.headers().toString() + "\n" + response.bodyAsString());
        return response;
    }

    private static boolean hasCookie(HttpResponse<Buffer> response, String name) {
        return response.cookies().stream().anyMatch(c -> c.startsWith(name + "=") && !c.startsWith(name + "=;"));
    }

    private static String cookie(HttpResponse<Buffer> response, String name) {
        return response.cookies().stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + response.cookies()));
    }

    private static String cookieValue(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static Map<String, String> query(URI uri) {
        return form(uri.getRawQuery());
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }


    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }
    }
}
