package dev.driftless.status;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.driftless.status.CommitStatus.State.FAILURE;
import static dev.driftless.status.CommitStatus.State.PENDING;
import static dev.driftless.status.CommitStatus.State.SUCCESS;
import static dev.driftless.status.Statuses.SHA1;
import static dev.driftless.status.Statuses.SHA2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the outbox promises, run on every database it supports: H2 in PostgreSQL mode
 * ({@link H2OutboxTest}) and a real PostgreSQL 15 ({@link PostgresOutboxTest}).
 */
abstract class OutboxContract {
    abstract DataSource newDatabase();

    DataSource db;
    StatusOutbox outbox;
    FakeGitHub github;
    final List<StatusSender> senders = new ArrayList<>();

    @BeforeEach
    void setUp() {
        db = newDatabase();
        outbox = new StatusOutbox(db);
        github = new FakeGitHub().tokensValidFor1h(Instant.now());
    }

    @AfterEach
    void tearDown() {
        senders.forEach(s -> s.stop(Duration.ofSeconds(5)));
        github.close();
    }

    /**
     * Waits until {@code sender} has finished {@code n} more passes over the outbox than it had now: the
     * event that shows something was not sent, instead of a sleep. The first pass counted may have begun
     * before now, so n - 1 whole passes began after.
     */
    static void awaitFurtherPasses(StatusSender sender, int n) throws InterruptedException {
        long target = sender.passes() + n;
        dev.driftless.testsupport.Await.until(n + " more passes of the status sender", () -> sender.passes() >= target);
    }

    StatusSender startSender(String name) {
        StatusPublisher publisher = StatusPublisher.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl())
                .credentials(GitHubCredentials.app(4242, TestKeys.appKey())).build());
        StatusSender sender = StatusSender.builder(db, publisher).threadName(name)
                .pollInterval(Duration.ofMillis(20)).backoffBase(Duration.ofMillis(10)).batchSize(3).build();
        senders.add(sender);
        sender.start();
        return sender;
    }

    @Test
    void theSameStateAndDescriptionIsNeverPostedTwice() throws Exception {
        github.statusesCreated();
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.stack(SHA1, 1, PENDING, "building")));
        assertEquals(EnqueueResult.DUPLICATE, outbox.enqueue(Statuses.stack(SHA1, 1, PENDING, "building")));
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.stack(SHA1, 1, SUCCESS, "deployed")));
        assertEquals(EnqueueResult.DUPLICATE, outbox.enqueue(Statuses.stack(SHA1, 1, SUCCESS, "deployed")));
        // A resync that reports the same again, after delivery, is still a duplicate.
        startSender("sender-dedupe");
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(20));
        assertEquals(EnqueueResult.DUPLICATE, outbox.enqueue(Statuses.stack(SHA1, 1, SUCCESS, "deployed")));
        // A description that changes is a change.
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.stack(SHA1, 1, SUCCESS, "deployed again")));
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(20));
        assertEquals(List.of("building", "deployed", "deployed again"),
                github.served("/repos/").stream().map(e -> FakeGitHub.body(e).getString("description")).toList());
    }

    @Test
    void anOlderCommitNeverOverwritesWhatANewerOneReported() throws Exception {
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.function(SHA1, 5, "hello", PENDING, "building")));
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.function(SHA2, 6, "hello", PENDING, "building")));
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.function(SHA2, 6, "hello", SUCCESS, "deployed")));
        // The old build finishes late: dropped, for the function and for the stack.
        assertEquals(EnqueueResult.SUPERSEDED, outbox.enqueue(Statuses.function(SHA1, 5, "hello", FAILURE, "tests failed")));
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.stack(SHA2, 6, SUCCESS, "deployed")));
        assertEquals(EnqueueResult.SUPERSEDED, outbox.enqueue(Statuses.stack(SHA1, 5, FAILURE, "tests failed")));
        // Another branch has its own order.
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(CommitStatus.builder().repository("alice", "fns")
                .commit(SHA1, "feature", 5).installationId(77L).stack().state(FAILURE).description("tests failed").build()));

        // SHA1's pending function status was settled when SHA2 replaced it (see the test below): 5 rows, not 4.
        assertEquals(5, TestDatabases.count(db, "SELECT COUNT(*) FROM status_outbox WHERE branch = 'main'"));
        assertEquals(0, TestDatabases.count(db, "SELECT COUNT(*) FROM status_outbox WHERE sha = '" + SHA1
                + "' AND state = 'failure' AND branch = 'main'"));
        Map<String, LatestStatus> latest = outbox.latestStates("alice", "fns");
        assertEquals(SHA2, latest.get("driftless/hello").sha());
        assertEquals(SUCCESS, latest.get("driftless/hello").state());
        assertEquals(SUCCESS, latest.get("driftless/stack").state());
        assertEquals(SUCCESS, outbox.latestState("alice", "fns", "driftless/hello").orElseThrow());
    }

    @Test
    void aPendingCommitReplacedByANewerOneGetsItsFinalStatusOnce() throws Exception {
        github.statusesCreated();
        // SHA1 started building, then its job was cut off (a crash) and superseded: SHA2 builds instead.
        outbox.enqueue(Statuses.stack(SHA1, 5, PENDING, "building 1111111"));
        outbox.enqueue(Statuses.function(SHA1, 5, "hello", SUCCESS, "deployed"));
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.stack(SHA2, 6, PENDING, "building 2222222")));
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.function(SHA2, 6, "hello", PENDING, "building")));
        // The replaced commit's own final status, had its build gone on, is dropped as older: the settled one stands.
        assertEquals(EnqueueResult.SUPERSEDED, outbox.enqueue(Statuses.stack(SHA1, 5, SUCCESS, "deployed")));
        // A third commit settles nothing more for SHA1 (no longer pending) and SHA2 in turn.
        String sha3 = "3333333333333333333333333333333333333333";
        outbox.enqueue(Statuses.stack(sha3, 7, PENDING, "building 3333333"));
        startSender("sender-settle");
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(20));

        // Oldest first; statuses of one context leave in order (the replaced one's end before the new one's start).
        List<String> posted = github.served("/repos/").stream().map(e -> {
            String url = e.getRequest().getUrl();
            JsonObject body = FakeGitHub.body(e);
            return body.getString("context") + " " + url.substring(url.lastIndexOf('/') + 1).substring(0, 7) + " "
                    + body.getString("state") + " " + body.getString("description");
        }).toList();
        assertEquals(List.of(
                "driftless/stack 1111111 pending building 1111111",
                "driftless/stack 1111111 error not finished: replaced by a newer commit of main (2222222)",
                "driftless/stack 2222222 pending building 2222222",
                "driftless/stack 2222222 error not finished: replaced by a newer commit of main (3333333)",
                "driftless/stack 3333333 pending building 3333333"),
                posted.stream().filter(p -> p.startsWith("driftless/stack ")).toList());
        // SHA1's function status was already final: nothing is added for it.
        assertEquals(List.of("driftless/hello 1111111 success deployed", "driftless/hello 2222222 pending building"),
                posted.stream().filter(p -> p.startsWith("driftless/hello ")).toList());
        assertEquals(CommitStatus.State.ERROR, latestOf(SHA1, "driftless/stack"));
    }

    private CommitStatus.State latestOf(String sha, String context) throws Exception {
        try (Connection c = db.getConnection();
             var q = c.prepareStatement("SELECT state FROM commit_statuses WHERE sha = ? AND context = ?")) {
            q.setString(1, sha);
            q.setString(2, context);
            try (var rs = q.executeQuery()) {
                rs.next();
                return CommitStatus.State.valueOf(rs.getString(1).toUpperCase());
            }
        }
    }

    @Test
    void statusesOfTheBuiltInGitEndpointAreRecordedButNeverSent() throws Exception {
        CommitStatus local = Statuses.on(SHA1, 1).installationId(null).local().stack().state(SUCCESS).description("deployed").build();
        assertEquals(EnqueueResult.RECORDED_LOCAL, outbox.enqueue(local));
        assertEquals(EnqueueResult.DUPLICATE, outbox.enqueue(local));
        assertEquals(EnqueueResult.RECORDED_LOCAL, outbox.enqueue(Statuses.on(SHA1, 1).installationId(null).local()
                .function("hello").state(FAILURE).description("unit tests failed: 1 of 3").build()));
        assertEquals(0, TestDatabases.count(db, "SELECT COUNT(*) FROM status_outbox"));
        Map<String, LatestStatus> latest = outbox.latestStates("alice", "fns");
        assertEquals(List.of("driftless/hello", "driftless/stack"), List.copyOf(latest.keySet()));
        assertEquals(FAILURE, latest.get("driftless/hello").state());
        assertEquals("unit tests failed: 1 of 3", latest.get("driftless/hello").description());
        assertTrue(outbox.latestStates("alice", "unknown").isEmpty());
        assertTrue(outbox.latestState("bob", "fns", "driftless/stack").isEmpty());
        StatusSender sender = startSender("sender-local");
        awaitFurtherPasses(sender, 2); // rows it would send are due at once: two whole passes have seen them
        assertEquals(0, github.served().size());
    }

    @Test
    void enqueueIsPartOfTheCallersTransaction() throws Exception {
        try (Connection tx = db.getConnection()) {
            tx.setAutoCommit(false);
            assertEquals(EnqueueResult.QUEUED, outbox.enqueue(tx, Statuses.stack(SHA1, 1, PENDING, "building")));
            tx.rollback();
        }
        assertEquals(0, TestDatabases.count(db, "SELECT COUNT(*) FROM status_outbox"));
        assertTrue(outbox.latestStates("alice", "fns").isEmpty());
        // Rolled back, so the same status is new again.
        assertEquals(EnqueueResult.QUEUED, outbox.enqueue(Statuses.stack(SHA1, 1, PENDING, "building")));
    }

    @Test
    void aPermanent422IsRecordedAndNotRetriedAndDoesNotBlockLaterStatuses() throws Exception {
        github.server.stubFor(post(urlPathEqualTo("/repos/alice/fns/statuses/" + SHA1))
                .withRequestBody(equalToJson("{\"state\":\"pending\",\"description\":\"building\",\"context\":\"driftless/stack\"}"))
                .willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"No commit found for SHA: " + SHA1 + "\"}")));
        github.server.stubFor(post(urlPathEqualTo("/repos/alice/fns/statuses/" + SHA1))
                .withRequestBody(equalToJson("{\"state\":\"success\",\"description\":\"deployed\",\"context\":\"driftless/stack\"}"))
                .willReturn(aResponse().withStatus(201).withBody("{}")));
        outbox.enqueue(Statuses.stack(SHA1, 1, PENDING, "building"));
        outbox.enqueue(Statuses.stack(SHA1, 1, SUCCESS, "deployed"));
        StatusSender sender = startSender("sender-422");
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(20));
        awaitFurtherPasses(sender, 3); // a retry would be due in one of these passes
        List<Map<String, Object>> rows = TestDatabases.outbox(db);
        assertEquals("failed", rows.get(0).get("outcome"));
        assertEquals(422, ((Number) rows.get(0).get("last_http_status")).intValue());
        assertEquals(1, ((Number) rows.get(0).get("attempts")).intValue());
        assertTrue(String.valueOf(rows.get(0).get("last_error")).contains("No commit found"), rows.get(0).toString());
        assertEquals("delivered", rows.get(1).get("outcome"));
        assertEquals(2, github.served("/repos/").size(), "the 422 was not retried");
    }

    @Test
    void twoSendersOnOneDatabaseDeliverEachStatusExactlyOnceAndInOrder() throws Exception {
        github.statusesCreated();
        List<String> functions = List.of("a", "b", "c", "d", "e", "f");
        for (int sequence = 1; sequence <= 3; sequence++) {
            String sha = String.valueOf(sequence).repeat(40);
            for (String function : functions) {
                outbox.enqueue(Statuses.function(sha, sequence, function, PENDING, "building " + sequence));
                outbox.enqueue(Statuses.function(sha, sequence, function, SUCCESS, "deployed " + sequence));
            }
        }
        startSender("replica-1");
        startSender("replica-2");
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));
        List<JsonObject> bodies = github.served("/repos/").stream().map(FakeGitHub::body).toList();
        assertEquals(36, bodies.size(), "each of the 36 statuses exactly once");
        assertEquals(36, bodies.stream().map(b -> b.getString("context") + b.getString("state") + b.getString("description"))
                .distinct().count());
        for (String function : functions) {
            List<String> order = bodies.stream().filter(b -> b.getString("context").equals("driftless/" + function))
                    .map(b -> b.getString("description")).toList();
            assertEquals(List.of("building 1", "deployed 1", "building 2", "deployed 2", "building 3", "deployed 3"), order);
        }
    }
}
