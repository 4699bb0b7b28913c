package dev.driftless.status;

import dev.driftless.testsupport.Await;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.driftless.status.CommitStatus.State.PENDING;
import static dev.driftless.status.CommitStatus.State.SUCCESS;
import static dev.driftless.status.Statuses.SHA1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitHub failing, rate limiting, and the daemon restarting with statuses still in the outbox. */
class SenderFaultTest {
    private final FakeGitHub github = new FakeGitHub().tokensValidFor1h(Instant.now());
    private StatusSender sender;

    @AfterEach
    void tearDown() {
        if (sender != null) {
            sender.stop(Duration.ofSeconds(5));
        }
        github.close();
    }

    private static StatusPublisher publisher(String baseUrl) {
        return StatusPublisher.create(GitHubConfig.builder().apiBaseUrl(baseUrl)
                .credentials(GitHubCredentials.app(4242, TestKeys.appKey()))
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(10)).build());
    }

    private static StatusSender sender(DataSource db, StatusPublisher publisher) {
        return StatusSender.builder(db, publisher).pollInterval(Duration.ofMillis(20)).backoffBase(Duration.ofMillis(10)).build();
    }

    private static final List<CommitStatus> PUSH = List.of(
            Statuses.stack(SHA1, 1, PENDING, "building 1 function"),
            Statuses.function(SHA1, 1, "hello", PENDING, "building"),
            Statuses.function(SHA1, 1, "hello", SUCCESS, "deployed"),
            Statuses.stack(SHA1, 1, SUCCESS, "1 function deployed"));

    private void assertDeliveredExactlyOnceInOrder(List<ServeEvent> created) {
        List<String> delivered = created.stream()
                .map(e -> FakeGitHub.body(e).getString("context") + " " + FakeGitHub.body(e).getString("state")).toList();
        assertEquals(4, delivered.size(), "each status exactly once: " + delivered);
        assertEquals(4, delivered.stream().distinct().count(), delivered.toString());
        assertTrue(delivered.indexOf("driftless/stack pending") < delivered.indexOf("driftless/stack success"), delivered.toString());
        assertTrue(delivered.indexOf("driftless/hello pending") < delivered.indexOf("driftless/hello success"), delivered.toString());
    }

    @Test
    void serverErrorsThenAPrimaryRateLimitThenSuccess() throws Exception {
        long reset = Instant.now().plusSeconds(2).getEpochSecond() + 1; // "a couple of seconds ahead", whole seconds
        String path = "/repos/alice/fns/statuses/.*";
        stubStep(path, STARTED, "500 #2", aResponse().withStatus(500).withBody("{\"message\":\"Server Error\"}"));
        stubStep(path, "500 #2", "500 #3", aResponse().withStatus(500).withBody("{\"message\":\"Server Error\"}"));
        stubStep(path, "500 #3", "limited", aResponse().withStatus(500).withBody("{\"message\":\"Server Error\"}"));
        stubStep(path, "limited", "healthy", aResponse().withStatus(403)
                .withHeader("X-RateLimit-Limit", "5000").withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", String.valueOf(reset))
                .withBody("{\"message\":\"API rate limit exceeded for installation ID 77.\"}"));
        github.server.stubFor(post(urlPathMatching(path)).inScenario("github").whenScenarioStateIs("healthy")
                .willReturn(aResponse().withStatus(201).withBody("{}")));

        DataSource db = TestDatabases.h2Memory();
        StatusOutbox outbox = new StatusOutbox(db);
        Statuses.enqueueInOneTransaction(db, outbox, PUSH.toArray(CommitStatus[]::new));
        sender = sender(db, publisher(github.baseUrl()));
        sender.start();
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));

        List<ServeEvent> posts = github.served("/repos/");
        assertEquals(List.of(500, 500, 500, 403, 201, 201, 201, 201),
                posts.stream().map(e -> e.getResponse().getStatus()).toList(),
                "after the 403 nothing is sent until the reset");
        List<ServeEvent> created = posts.stream().filter(e -> e.getResponse().getStatus() == 201).toList();
        assertDeliveredExactlyOnceInOrder(created);
        for (ServeEvent event : created) {
            assertTrue(event.getRequest().getLoggedDate().getTime() >= reset * 1000,
                    "delivered at " + event.getRequest().getLoggedDate().toInstant() + ", before the reset " + Instant.ofEpochSecond(reset));
        }
        List<Map<String, Object>> rows = TestDatabases.outbox(db);
        assertTrue(rows.stream().allMatch(r -> "delivered".equals(r.get("outcome"))), rows.toString());
    }

    @Test
    void aSecondaryRateLimitWithRetryAfterPausesToo() throws Exception {
        String path = "/repos/alice/fns/statuses/.*";
        stubStep(path, STARTED, "healthy", aResponse().withStatus(403).withHeader("Retry-After", "1")
                .withBody("{\"message\":\"You have exceeded a secondary rate limit.\"}"));
        github.server.stubFor(post(urlPathMatching(path)).inScenario("github").whenScenarioStateIs("healthy")
                .willReturn(aResponse().withStatus(201).withBody("{}")));
        DataSource db = TestDatabases.h2Memory();
        StatusOutbox outbox = new StatusOutbox(db);
        Instant limitedAt = Instant.now();
        Statuses.enqueueInOneTransaction(db, outbox, PUSH.toArray(CommitStatus[]::new));
        sender = sender(db, publisher(github.baseUrl()));
        sender.start();
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));
        List<ServeEvent> posts = github.served("/repos/");
        assertEquals(List.of(403, 201, 201, 201, 201), posts.stream().map(e -> e.getResponse().getStatus()).toList());
        Instant limited = posts.get(0).getRequest().getLoggedDate().toInstant();
        assertTrue(!posts.get(1).getRequest().getLoggedDate().toInstant().isBefore(limited.plusMillis(900)),
                "Retry-After: 1 was honoured (limited at " + limited + ", started " + limitedAt + ")");
        assertDeliveredExactlyOnceInOrder(posts.subList(1, 5));
    }

    @Test
    void anAnswerThatUsesTheLastRequestPausesUntilTheResetWithoutA403() throws Exception {
        long reset = Instant.now().plusSeconds(2).getEpochSecond();
        String path = "/repos/alice/fns/statuses/.*";
        stubStep(path, STARTED, "after", aResponse().withStatus(201).withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", String.valueOf(reset)).withBody("{}"));
        github.server.stubFor(post(urlPathMatching(path)).inScenario("github").whenScenarioStateIs("after")
                .willReturn(aResponse().withStatus(201).withBody("{}")));
        DataSource db = TestDatabases.h2Memory();
        Statuses.enqueueInOneTransaction(db, new StatusOutbox(db), PUSH.toArray(CommitStatus[]::new));
        sender = sender(db, publisher(github.baseUrl()));
        sender.start();
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));
        List<ServeEvent> posts = github.served("/repos/");
        assertEquals(List.of(201, 201, 201, 201), posts.stream().map(e -> e.getResponse().getStatus()).toList());
        assertDeliveredExactlyOnceInOrder(posts);
        for (ServeEvent event : posts.subList(1, 4)) {
            assertTrue(event.getRequest().getLoggedDate().getTime() >= reset * 1000, "sent before the reset");
        }
    }

    @Test
    void statusesLeftInTheOutboxAreDeliveredAfterARestart(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // nothing listens here once closed: GitHub is down
        }
        Path file = dir.resolve("driftless");
        DataSource first = TestDatabases.h2File(file);
        StatusOutbox outbox = new StatusOutbox(first);
        Statuses.enqueueInOneTransaction(first, outbox, PUSH.toArray(CommitStatus[]::new));
        StatusSender down = sender(first, publisher("http://127.0.0.1:" + closedPort));
        down.start();
        Await.until("a second attempt at a row", () -> {
            try {
                return TestDatabases.count(first, "SELECT COUNT(*) FROM status_outbox WHERE attempts >= 2") > 0;
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        down.stop(Duration.ofSeconds(5)); // the daemon stops
        assertEquals(4, TestDatabases.count(first, "SELECT COUNT(*) FROM status_outbox WHERE outcome = 'pending'"));
        assertTrue(TestDatabases.count(first, "SELECT MAX(attempts) FROM status_outbox") >= 2, "GitHub was tried and was down");
        assertTrue(String.valueOf(TestDatabases.outbox(first).get(0).get("last_error")).contains("network error"));
        assertEquals(0, github.served().size());

        // Restart: a new data source on the same file (the old one holds no connection, H2 closed the file).
        github.statusesCreated();
        DataSource second = TestDatabases.h2File(file);
        sender = sender(second, publisher(github.baseUrl()));
        sender.start();
        TestDatabases.awaitNothingPending(second, Duration.ofSeconds(30));
        assertDeliveredExactlyOnceInOrder(github.served("/repos/"));
        assertEquals(4, TestDatabases.count(second, "SELECT COUNT(*) FROM status_outbox WHERE outcome = 'delivered'"));
    }

    @Test
    void transientFailuresGiveUpAfterMaxAttemptsWithTheReason() throws Exception {
        github.server.stubFor(post(urlPathMatching("/repos/.*")).willReturn(aResponse().withStatus(502).withBody("bad gateway")));
        DataSource db = TestDatabases.h2Memory();
        new StatusOutbox(db).enqueue(Statuses.stack(SHA1, 1, PENDING, "building"));
        sender = StatusSender.builder(db, publisher(github.baseUrl())).pollInterval(Duration.ofMillis(10))
                .backoffBase(Duration.ofMillis(5)).maxAttempts(3).build();
        sender.start();
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(20));
        Map<String, Object> row = TestDatabases.outbox(db).get(0);
        assertEquals("failed", row.get("outcome"));
        assertEquals(3, ((Number) row.get("attempts")).intValue());
        assertTrue(String.valueOf(row.get("last_error")).startsWith("gave up after 3 attempts: HTTP 502"), row.toString());
        assertEquals(3, github.served("/repos/").size());
    }

    private void stubStep(String path, String state, String next, ResponseDefinitionBuilder response) {
        github.server.stubFor(post(urlPathMatching(path)).inScenario("github").whenScenarioStateIs(state)
                .willReturn(response).willSetStateTo(next));
    }
}
