package dev.driftless.status;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.driftless.status.CommitStatus.State.FAILURE;
import static dev.driftless.status.CommitStatus.State.PENDING;
import static dev.driftless.status.CommitStatus.State.SUCCESS;
import static dev.driftless.status.Statuses.SHA1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Commit statuses through outbox, sender and publisher against a WireMock GitHub; exact requests asserted. */
class CommitStatusFlowTest {
    private final FakeGitHub github = new FakeGitHub();
    private final DataSource db = TestDatabases.h2Memory();
    private final StatusOutbox outbox = new StatusOutbox(db);
    private StatusSender sender;

    @AfterEach
    void tearDown() {
        if (sender != null) {
            sender.stop(Duration.ofSeconds(5));
        }
        github.close();
    }

    private StatusPublisher appPublisher(Clock clock) {
        return StatusPublisher.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl())
                .credentials(GitHubCredentials.app(4242, TestKeys.appKey())).clock(clock).build());
    }

    private void deliver(StatusPublisher publisher) throws Exception {
        sender = StatusSender.builder(db, publisher).pollInterval(Duration.ofMillis(20)).backoffBase(Duration.ofMillis(10)).build();
        sender.start();
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(20));
    }

    @Test
    void successfulPushPostsPendingThenSuccessForStackAndEachFunction() throws Exception {
        github.tokensValidFor1h(Instant.now()).statusesCreated();
        Statuses.enqueueInOneTransaction(db, outbox,
                Statuses.stack(SHA1, 1, PENDING, "building 2 functions"),
                Statuses.function(SHA1, 1, "hello", PENDING, "building"),
                Statuses.function(SHA1, 1, "resize", PENDING, "building"));
        Statuses.enqueueInOneTransaction(db, outbox,
                Statuses.on(SHA1, 1).function("hello").state(SUCCESS).description("deployed sha256:1a2b… in 4.1 s")
                        .targetUrl("https://alice.fns.example/hello").build(),
                Statuses.on(SHA1, 1).function("resize").state(SUCCESS).description("deployed sha256:9f8e… in 3.0 s")
                        .targetUrl("https://alice.fns.example/resize").build(),
                Statuses.on(SHA1, 1).stack().state(SUCCESS).description("2 functions deployed")
                        .targetUrl("https://driftless.example/alice/fns").build());
        deliver(appPublisher(Clock.systemUTC()));

        List<ServeEvent> exchanges = github.served("/app/installations/");
        assertEquals(1, exchanges.size(), "six statuses in the same hour need one token exchange");
        ServeEvent exchange = exchanges.get(0);
        assertEquals("/app/installations/77/access_tokens", exchange.getRequest().getUrl());
        assertEquals("POST", exchange.getRequest().getMethod().getName());
        assertEquals("application/vnd.github+json", exchange.getRequest().getHeader("Accept"));
        assertEquals("2022-11-28", exchange.getRequest().getHeader("X-GitHub-Api-Version"));
        String authorization = exchange.getRequest().getHeader("Authorization");
        assertTrue(authorization.startsWith("Bearer "), authorization);
        JsonObject claims = TestKeys.verifiedClaims(authorization.substring(7), TestKeys.RSA.getPublic());
        assertEquals("4242", claims.getString("iss"));

        List<ServeEvent> posts = github.served("/repos/");
        assertEquals(6, posts.size());
        for (ServeEvent post : posts) {
            assertEquals("POST", post.getRequest().getMethod().getName());
            assertEquals("/repos/alice/fns/statuses/" + SHA1, post.getRequest().getUrl());
            assertEquals("Bearer ghs_installation_token", post.getRequest().getHeader("Authorization"));
            assertEquals("application/vnd.github+json", post.getRequest().getHeader("Accept"));
            assertEquals("2022-11-28", post.getRequest().getHeader("X-GitHub-Api-Version"));
        }
        assertEquals(List.of(
                new JsonObject().put("state", "pending").put("description", "building 2 functions").put("context", "driftless/stack"),
                new JsonObject().put("state", "pending").put("description", "building").put("context", "driftless/hello"),
                new JsonObject().put("state", "pending").put("description", "building").put("context", "driftless/resize"),
                new JsonObject().put("state", "success").put("description", "deployed sha256:1a2b… in 4.1 s")
                        .put("context", "driftless/hello").put("target_url", "https://alice.fns.example/hello"),
                new JsonObject().put("state", "success").put("description", "deployed sha256:9f8e… in 3.0 s")
                        .put("context", "driftless/resize").put("target_url", "https://alice.fns.example/resize"),
                new JsonObject().put("state", "success").put("description", "2 functions deployed")
                        .put("context", "driftless/stack").put("target_url", "https://driftless.example/alice/fns")),
                posts.stream().map(FakeGitHub::body).toList());
        assertEquals(6, TestDatabases.count(db, "SELECT COUNT(*) FROM status_outbox WHERE outcome = 'delivered'"));
        assertEquals(SUCCESS, outbox.latestState("alice", "fns", "driftless/stack").orElseThrow());
    }

    @Test
    void failedPushPostsFailureWithTheBuildLogAsTarget() throws Exception {
        github.tokensValidFor1h(Instant.now()).statusesCreated();
        Statuses.enqueueInOneTransaction(db, outbox,
                Statuses.stack(SHA1, 1, PENDING, "building 1 function"),
                Statuses.function(SHA1, 1, "hello", PENDING, "building"));
        Statuses.enqueueInOneTransaction(db, outbox,
                Statuses.on(SHA1, 1).function("hello").state(FAILURE).description("unit tests failed: 2 of 14")
                        .targetUrl("https://driftless.example/alice/fns/builds/9/hello/log").build(),
                Statuses.on(SHA1, 1).stack().state(FAILURE).description("1 of 1 functions failed; nothing was deployed")
                        .targetUrl("https://driftless.example/alice/fns/builds/9").build());
        deliver(appPublisher(Clock.systemUTC()));

        List<JsonObject> bodies = github.served("/repos/alice/fns/statuses/" + SHA1).stream().map(FakeGitHub::body).toList();
        assertEquals(List.of(
                new JsonObject().put("state", "pending").put("description", "building 1 function").put("context", "driftless/stack"),
                new JsonObject().put("state", "pending").put("description", "building").put("context", "driftless/hello"),
                new JsonObject().put("state", "failure").put("description", "unit tests failed: 2 of 14")
                        .put("context", "driftless/hello").put("target_url", "https://driftless.example/alice/fns/builds/9/hello/log"),
                new JsonObject().put("state", "failure").put("description", "1 of 1 functions failed; nothing was deployed")
                        .put("context", "driftless/stack").put("target_url", "https://driftless.example/alice/fns/builds/9")),
                bodies);
        assertEquals(FAILURE, outbox.latestState("alice", "fns", "driftless/hello").orElseThrow());
    }

    @Test
    void installationTokenIsCachedUntilFiveMinutesBeforeExpiryAndExchangedOncePerInstallation() throws Exception {
        Instant start = Instant.parse("2026-11-22T04:00:00Z");
        AtomicReference<Instant> now = new AtomicReference<>(start);
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        github.tokensValidFor1h(start).statusesCreated();
        StatusPublisher publisher = appPublisher(clock);
        CommitStatus status = Statuses.stack(SHA1, 1, PENDING, "building");

        // Eight threads at once: one exchange.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<PublishResult>> results = pool.invokeAll(java.util.Collections.nCopies(8,
                    () -> publisher.publish(status, OptionalLong.empty())));
            for (Future<PublishResult> result : results) {
                assertInstanceOf(PublishResult.Delivered.class, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, github.served("/app/installations/77/").size());

        now.set(start.plus(Duration.ofMinutes(54)));
        publisher.publish(status, OptionalLong.empty());
        assertEquals(1, github.served("/app/installations/77/").size(), "54 minutes in, the token is still good");

        now.set(start.plus(Duration.ofMinutes(55)).plusSeconds(1));
        publisher.publish(status, OptionalLong.empty());
        assertEquals(2, github.served("/app/installations/77/").size(), "within 5 minutes of expiry a new token is fetched");

        publisher.publish(Statuses.on(SHA1, 1).installationId(78L).stack().state(PENDING).description("x").build(), OptionalLong.empty());
        assertEquals(1, github.served("/app/installations/78/").size(), "another installation has its own token");
    }

    @Test
    void a401WithACachedTokenFetchesAFreshOneOnceThenGivesUp() {
        github.tokensValidFor1h(Instant.now());
        github.server.stubFor(post(urlPathEqualTo("/repos/alice/fns/statuses/" + SHA1))
                .willReturn(aResponse().withStatus(401).withBody("{\"message\":\"Bad credentials\"}")));
        PublishResult result = appPublisher(Clock.systemUTC()).publish(Statuses.stack(SHA1, 1, PENDING, "x"), OptionalLong.empty());
        PublishResult.Refused refused = assertInstanceOf(PublishResult.Refused.class, result);
        assertEquals(401, refused.httpStatus());
        assertTrue(refused.reason().contains("fresh installation token"), refused.reason());
        assertEquals(2, github.served("/app/installations/77/").size());
        assertEquals(2, github.served("/repos/").size());
    }

    @Test
    void personalAccessTokenModeAndEnterpriseBasePath() {
        github.server.stubFor(post(urlPathEqualTo("/api/v3/repos/alice/fns/statuses/" + SHA1))
                .willReturn(aResponse().withStatus(201).withBody("{}")));
        StatusPublisher publisher = StatusPublisher.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl() + "/api/v3/")
                .credentials(GitHubCredentials.personalAccessToken("ghp_token123")).build());
        PublishResult result = publisher.publish(Statuses.on(SHA1, 1).installationId(null).stack().state(PENDING)
                .description("building").build(), OptionalLong.empty());
        assertInstanceOf(PublishResult.Delivered.class, result);
        List<ServeEvent> served = github.served();
        assertEquals(1, served.size(), "no token exchange with a personal access token");
        assertEquals("Bearer ghp_token123", served.get(0).getRequest().getHeader("Authorization"));
        assertEquals("/api/v3/repos/alice/fns/statuses/" + SHA1, served.get(0).getRequest().getUrl());
    }
}
