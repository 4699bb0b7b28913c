package dev.driftless.status;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.driftless.status.CommitStatus.State.PENDING;
import static dev.driftless.status.CommitStatus.State.SUCCESS;
import static dev.driftless.status.Statuses.SHA1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sender killed between GitHub's answer and recording it (kill -9, or the database gone at that moment): the row
 * is left leased by a sender that no longer exists. The next sender must ask GitHub before posting it again, so the
 * status is not posted twice; and it must post it when the earlier attempt never got there.
 */
class LostAnswerTest {
    private final FakeGitHub github = new FakeGitHub().tokensValidFor1h(Instant.now()).statusesCreated();
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

    private StatusSender startSender(DataSource db) {
        sender = StatusSender.builder(db, publisher(github.baseUrl())).pollInterval(Duration.ofMillis(20))
                .backoffBase(Duration.ofMillis(10)).build();
        sender.start();
        return sender;
    }

    /** What a killed sender leaves: its lease on the row, expired, and nothing recorded. */
    private static void leftLeasedByADeadSender(DataSource db) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE status_outbox SET lease_owner = 'driftless-status-sender-dead', lease_until = ?")) {
            update.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(1)));
            update.executeUpdate();
        }
    }

    /** GitHub's list of a commit's statuses, newest first, as GitHub keeps them. */
    private void gitHubShows(CommitStatus... newestFirst) {
        JsonArray list = new JsonArray();
        for (CommitStatus s : newestFirst) {
            list.add(new JsonObject().put("id", list.size() + 1).put("context", s.context()).put("state", s.state().apiValue())
                    .put("description", s.description()).put("target_url", s.targetUrl()));
        }
        github.server.stubFor(get(urlPathMatching("/repos/alice/fns/statuses/" + SHA1))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(list.encode())));
    }

    private List<ServeEvent> posts() {
        return github.served("/repos/").stream().filter(e -> e.getRequest().getMethod().getName().equals("POST")).toList();
    }

    @Test
    void aStatusGitHubAlreadyShowsIsNotPostedAgain() throws Exception {
        DataSource db = TestDatabases.h2Memory();
        CommitStatus success = Statuses.function(SHA1, 1, "hello", SUCCESS, "deployed sha256:1a2b");
        new StatusOutbox(db).enqueue(success);
        // The dead sender's attempt went through: posted, answered 201, never recorded.
        assertTrue(publisher(github.baseUrl()).publish(success, OptionalLong.empty()) instanceof PublishResult.Delivered);
        gitHubShows(success, Statuses.function(SHA1, 1, "hello", PENDING, "building"));
        leftLeasedByADeadSender(db);

        startSender(db);
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));

        assertEquals(1, posts().size(), "posted once, by the attempt whose answer was lost");
        assertEquals(1, github.served("/repos/alice/fns/statuses/").stream()
                .filter(e -> e.getRequest().getMethod().getName().equals("GET")).count(), "GitHub was asked once");
        Map<String, Object> row = TestDatabases.outbox(db).get(0);
        assertEquals("delivered", row.get("outcome"), row.toString());
    }

    @Test
    void aStatusTheDeadSenderNeverPostedIsPostedOnce() throws Exception {
        DataSource db = TestDatabases.h2Memory();
        CommitStatus success = Statuses.function(SHA1, 1, "hello", SUCCESS, "deployed sha256:1a2b");
        new StatusOutbox(db).enqueue(success);
        // GitHub shows the function's earlier state only: the lost attempt never reached it.
        gitHubShows(Statuses.function(SHA1, 1, "hello", PENDING, "building"), Statuses.stack(SHA1, 1, SUCCESS, "deployed sha256:1a2b"));
        leftLeasedByADeadSender(db);

        startSender(db);
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));

        List<ServeEvent> posts = posts();
        assertEquals(1, posts.size());
        assertEquals("success", FakeGitHub.body(posts.get(0)).getString("state"));
        assertEquals("delivered", TestDatabases.outbox(db).get(0).get("outcome"));
    }

    @Test
    void whileGitHubCannotBeAskedTheStatusStaysInDoubtAndIsNotPostedBlindly() throws Exception {
        DataSource db = TestDatabases.h2Memory();
        CommitStatus success = Statuses.function(SHA1, 1, "hello", SUCCESS, "deployed sha256:1a2b");
        new StatusOutbox(db).enqueue(success);
        assertTrue(publisher(github.baseUrl()).publish(success, OptionalLong.empty()) instanceof PublishResult.Delivered);
        github.server.stubFor(get(urlPathMatching("/repos/alice/fns/statuses/" + SHA1))
                .willReturn(aResponse().withStatus(502).withBody("bad gateway")));
        leftLeasedByADeadSender(db);

        startSender(db);
        dev.driftless.testsupport.Await.until("three looks at GitHub", () -> github.served("/repos/alice/fns/statuses/").stream()
                .filter(e -> e.getRequest().getMethod().getName().equals("GET")).count() >= 3);
        assertEquals(1, posts().size(), "not posted while GitHub cannot say whether it has it");
        Map<String, Object> row = TestDatabases.outbox(db).get(0);
        assertEquals("pending", row.get("outcome"));
        assertTrue(String.valueOf(row.get("last_error")).contains("looking for an earlier attempt: HTTP 502"), row.toString());

        gitHubShows(success); // GitHub recovers: it has the status, so the row is delivered without another post
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));
        assertEquals(1, posts().size());
        assertEquals("delivered", TestDatabases.outbox(db).get(0).get("outcome"));
    }

    @Test
    void aGracefulStopLeavesNothingInDoubt() throws Exception {
        DataSource db = TestDatabases.h2Memory();
        new StatusOutbox(db).enqueue(Statuses.stack(SHA1, 1, PENDING, "building 1 function"));
        startSender(db);
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(30));
        assertEquals(0, github.served("/repos/alice/fns/statuses/").stream()
                .filter(e -> e.getRequest().getMethod().getName().equals("GET")).count(), "no lookup without a lost answer");
        assertEquals(1, posts().size());
    }
}
