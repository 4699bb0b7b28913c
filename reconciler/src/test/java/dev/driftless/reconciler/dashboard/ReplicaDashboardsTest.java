package dev.driftless.reconciler.dashboard;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.driftless.dashboard.Dashboard;
import dev.driftless.dashboard.DashboardData;
import dev.driftless.dashboard.GitHubOAuth;
import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.TokenVerifier;
import dev.driftless.dashboard.Views;
import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import dev.driftless.testsupport.MutableClock;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two dashboards on one database, each with its own connection pool and HTTP server, as two replicas
 * behind one Service: a session started on one is honoured by the other and a logout on either ends it;
 * a GitHub sign-in started on one finishes on the other, and its callback cannot be replayed on either.
 * WireMock stands in for GitHub.
 */
class ReplicaDashboardsTest {
    private static final String ALICE_TOKEN = "alice-token-0123456789";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final List<Database> pools = new ArrayList<>();
    private WireMockServer github;
    private Vertx vertx;
    private WebClient client;
    private String first;
    private String second;

    @BeforeEach
    void start() throws Exception {
        github = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        github.start();
        vertx = Vertx.vertx();
        client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
        Router a = Router.router(vertx);
        Router b = Router.router(vertx);
        first = "http://127.0.0.1:" + listen(a).actualPort();
        second = "http://127.0.0.1:" + listen(b).actualPort();
        // One public address for both, as behind a Service: GitHub sends the browser back to the second.
        GitHubOAuth oauth = new GitHubOAuth("Iv1.client-abc", "client-secret-5f2b9c0e7d", URI.create(github.baseUrl()),
                URI.create(github.baseUrl() + "/api/v3"), URI.create(second + GitHubOAuth.CALLBACK_PATH));
        String url = TestDatabases.freshH2Url();
        for (Router router : List.of(a, b)) {
            Database pool = Database.open(url, Optional.empty(), Optional.empty(), 4);
            pools.add(pool);
            new Dashboard(new NoFunctions(), tokens(), principal -> List.copyOf(principal.owners()), Optional.of(oauth),
                    new StoreSessions(pool, clock)).mount(vertx, router);
        }
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        github.stop();
        pools.forEach(Database::close);
    }

    @Test
    void aTokenLoginOnOneReplicaIsHonouredByTheOtherAndALogoutOnEitherEndsIt() throws Exception {
        HttpResponse<Buffer> login = client.postAbs(first + "/login")
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", ALICE_TOKEN)).await();
        assertEquals(303, login.statusCode());
        String session = cookie(login, "driftless_session");

        HttpResponse<Buffer> page = send(HttpMethod.GET, second + "/dashboard/alice", session);
        assertEquals(200, page.statusCode(), page.bodyAsString());
        assertEquals(403, send(HttpMethod.GET, second + "/dashboard/bob", session).statusCode());
        String csrf = page.bodyAsString().replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");

        HttpResponse<Buffer> logout = client.postAbs(second + "/logout").putHeader("Cookie", session)
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("csrf", csrf)).await();
        assertEquals(303, logout.statusCode());
        HttpResponse<Buffer> after = send(HttpMethod.GET, first + "/dashboard/alice", session);
        assertEquals(303, after.statusCode());
        assertEquals("/login", after.getHeader("Location"));
    }

    @Test
    void aGitHubSignInStartedOnOneReplicaFinishesOnTheOtherOnce() throws Exception {
        stubGitHub();
        HttpResponse<Buffer> start = send(HttpMethod.GET, first + "/login/github", null);
        assertEquals(303, start.statusCode());
        String stateCookie = cookie(start, "driftless_oauth_state");
        String back = send(HttpMethod.GET, start.getHeader("Location"), null).getHeader("Location");
        assertTrue(back.startsWith(second + GitHubOAuth.CALLBACK_PATH + "?"), back);

        HttpResponse<Buffer> done = send(HttpMethod.GET, back, stateCookie);
        assertEquals(303, done.statusCode(), done.bodyAsString());
        String session = cookie(done, "driftless_session");
        assertEquals(200, send(HttpMethod.GET, first + "/dashboard/acme", session).statusCode());

        String replayedOnFirst = first + back.substring(second.length());
        assertEquals(400, send(HttpMethod.GET, replayedOnFirst, stateCookie).statusCode(), "the state was used up");
        assertEquals(400, send(HttpMethod.GET, back, stateCookie).statusCode());
        github.verify(1, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));
    }

    // --- helpers ------------------------------------------------------------------------------------

    private HttpServer listen(Router router) throws Exception {
        return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<Buffer> send(HttpMethod method, String url, String cookie) {
        HttpRequest<Buffer> request = client.requestAbs(method, url);
        if (cookie != null) {
            request.putHeader("Cookie", cookie);
        }
        return request.send().await();
    }

    /** {@code name=value} of a Set-Cookie the response must have. */
    private static String cookie(HttpResponse<Buffer> response, String name) {
        String setCookie = response.cookies().stream().filter(c -> c.startsWith(name + "=") && !c.startsWith(name + "=;"))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " cookie in " + response.cookies()));
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static TokenVerifier tokens() {
        return token -> ALICE_TOKEN.equals(token)
                ? Optional.of(new Principal("alice", false, Set.of("alice")))
                : Optional.empty();
    }

    /** A user who approves at once, "Alice", member of ACME. */
    private void stubGitHub() {
        github.stubFor(get(urlPathEqualTo("/login/oauth/authorize")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "{{request.query.redirect_uri}}?code=code-4711&state={{request.query.state}}")
                .withTransformers("response-template")));
        github.stubFor(post(urlPathEqualTo("/login/oauth/access_token"))
                .willReturn(okJson("{\"access_token\":\"gho_accesstoken0123456789\",\"token_type\":\"bearer\"}")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user")).willReturn(okJson("{\"login\":\"Alice\",\"id\":1}")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user/orgs")).willReturn(okJson("[{\"login\":\"ACME\",\"id\":2}]")));
    }

    /** Owners without functions: these tests are about who gets in, not what they see. */
    private static final class NoFunctions implements DashboardData {
        @Override
        public List<String> repositories(String owner) {
            return List.of();
        }

        @Override
        public List<Views.FunctionRow> functions(String owner) {
            return List.of();
        }

        @Override
        public Optional<Views.FunctionDetail> function(String owner, String function) {
            return Optional.empty();
        }

        @Override
        public Optional<Views.BuildView> build(String owner, long buildId) {
            return Optional.empty();
        }

        @Override
        public Views.LogChunk buildLog(String owner, long buildId, String function, int fromLine) {
            return new Views.LogChunk(fromLine, List.of(), true);
        }

        @Override
        public Optional<Views.RepositoryView> repository(String owner, String repository) {
            return Optional.empty();
        }

        @Override
        public Optional<Views.JobView> queueSuspend(String owner, String repository, boolean suspended) {
            return Optional.empty(); // no repositories
        }

        @Override
        public Optional<Views.JobView> queueRollback(String owner, String function, int release) {
            return Optional.empty(); // no functions
        }

        @Override
        public Optional<Views.JobView> job(String owner, long id) {
            return Optional.empty();
        }

        @Override
        public Views.AuditPage audit(String owner, Optional<Long> before, Optional<Long> after, int limit) {
            return new Views.AuditPage(List.of(), Optional.empty(), Optional.empty());
        }

        @Override
        public List<Views.SecretRow> secrets(String owner) {
            return List.of();
        }
    }
}
