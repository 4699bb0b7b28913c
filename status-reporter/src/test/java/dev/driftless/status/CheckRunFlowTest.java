package dev.driftless.status;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.driftless.status.CommitStatus.State.FAILURE;
import static dev.driftless.status.CommitStatus.State.PENDING;
import static dev.driftless.status.CommitStatus.State.SUCCESS;
import static dev.driftless.status.Statuses.SHA1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Check-run mode: one check run per (sha, context), created once and updated by id, with the build log. */
class CheckRunFlowTest {
    private final FakeGitHub github = new FakeGitHub().tokensValidFor1h(Instant.now());
    private StatusSender sender;

    @AfterEach
    void tearDown() {
        if (sender != null) {
            sender.stop(Duration.ofSeconds(5));
        }
        github.close();
    }

    @Test
    void createsThenUpdatesTheSameCheckRunAndCutsALongLogWithANote() throws Exception {
        github.server.stubFor(post(urlPathEqualTo("/repos/alice/fns/check-runs"))
                .withRequestBody(matchingJsonPath("$.name", equalTo("driftless/stack")))
                .willReturn(aResponse().withStatus(201).withBody("{\"id\": 555, \"status\": \"in_progress\"}")));
        github.server.stubFor(post(urlPathEqualTo("/repos/alice/fns/check-runs"))
                .withRequestBody(matchingJsonPath("$.name", equalTo("driftless/hello")))
                .willReturn(aResponse().withStatus(201).withBody("{\"id\": 556, \"status\": \"in_progress\"}")));
        github.server.stubFor(patch(urlPathMatching("/repos/alice/fns/check-runs/55[56]"))
                .willReturn(aResponse().withStatus(200).withBody("{}")));

        StringBuilder log = new StringBuilder("FIRST LINE OF THE BUILD\n");
        for (int i = 0; log.length() < 70_000; i++) {
            log.append("[INFO] compiling unit ").append(i).append(" ✓\n");
        }
        log.append("[ERROR] HelloTest.greets: expected <hi> but was <hello>\n");
        String fullLog = log.toString();

        DataSource db = TestDatabases.h2Memory();
        StatusOutbox outbox = new StatusOutbox(db);
        Statuses.enqueueInOneTransaction(db, outbox,
                Statuses.stack(SHA1, 1, PENDING, "building 1 function"),
                Statuses.function(SHA1, 1, "hello", PENDING, "building"));
        String logUrl = "https://driftless.example/alice/fns/builds/9/hello/log";
        Statuses.enqueueInOneTransaction(db, outbox,
                Statuses.on(SHA1, 1).function("hello").state(FAILURE).description("unit tests failed: 1 of 14")
                        .targetUrl(logUrl).summary("`HelloTest.greets` failed").log(fullLog).build(),
                Statuses.on(SHA1, 1).stack().state(SUCCESS).description("nothing to deploy").build());
        StatusPublisher publisher = StatusPublisher.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl())
                .credentials(GitHubCredentials.app(4242, TestKeys.appKey())).mode(StatusPublisher.Mode.CHECK_RUNS).build());
        sender = StatusSender.builder(db, publisher).pollInterval(Duration.ofMillis(20)).backoffBase(Duration.ofMillis(10)).build();
        sender.start();
        TestDatabases.awaitNothingPending(db, Duration.ofSeconds(20));

        List<ServeEvent> calls = github.served("/repos/");
        assertEquals(List.of("POST /repos/alice/fns/check-runs", "POST /repos/alice/fns/check-runs",
                        "PATCH /repos/alice/fns/check-runs/556", "PATCH /repos/alice/fns/check-runs/555"),
                calls.stream().map(e -> e.getRequest().getMethod().getName() + " " + e.getRequest().getUrl()).toList());
        for (ServeEvent call : calls) {
            assertEquals("Bearer ghs_installation_token", call.getRequest().getHeader("Authorization"));
            assertEquals("application/vnd.github+json", call.getRequest().getHeader("Accept"));
        }
        assertEquals(new JsonObject().put("name", "driftless/stack").put("status", "in_progress")
                        .put("output", new JsonObject().put("title", "building 1 function").put("summary", "building 1 function"))
                        .put("head_sha", SHA1),
                FakeGitHub.body(calls.get(0)));

        JsonObject failure = FakeGitHub.body(calls.get(2));
        assertEquals("driftless/hello", failure.getString("name"));
        assertEquals("completed", failure.getString("status"));
        assertEquals("failure", failure.getString("conclusion"));
        assertEquals(logUrl, failure.getString("details_url"));
        assertFalse(failure.containsKey("head_sha"), "an update does not move the check run");
        JsonObject output = failure.getJsonObject("output");
        assertEquals("unit tests failed: 1 of 14", output.getString("title"));
        assertEquals("`HelloTest.greets` failed", output.getString("summary"));
        String text = output.getString("text");
        assertTrue(text.length() <= 65_535, "text has " + text.length() + " characters");
        assertTrue(text.length() > 65_000, "the cut keeps as much as fits: " + text.length());
        assertTrue(text.startsWith("[Driftless: this log was cut to fit GitHub's limit of 65535 characters"), text.substring(0, 200));
        assertTrue(text.contains("of " + fullLog.length() + " characters are not shown; the whole log is at " + logUrl));
        assertTrue(text.endsWith("[ERROR] HelloTest.greets: expected <hi> but was <hello>\n"), "the end of the log, where the error is, is kept");
        assertFalse(text.contains("FIRST LINE OF THE BUILD"));

        assertEquals(new JsonObject().put("name", "driftless/stack").put("status", "completed").put("conclusion", "success")
                        .put("output", new JsonObject().put("title", "nothing to deploy").put("summary", "nothing to deploy")),
                FakeGitHub.body(calls.get(3)));
        assertEquals(List.of(555L, 556L), TestDatabases.query(db, "SELECT check_run_id FROM commit_statuses ORDER BY check_run_id")
                .stream().map(r -> ((Number) r.get("check_run_id")).longValue()).toList());
    }
}
