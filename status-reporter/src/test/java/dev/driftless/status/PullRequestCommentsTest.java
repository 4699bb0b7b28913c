package dev.driftless.status;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The PR comment: created once, then edited by id; a comment a crash left unrecorded is found by its marker. */
class PullRequestCommentsTest {
    private static final String MARKER = "<!-- driftless:previews -->";
    private final FakeGitHub github = new FakeGitHub().tokensValidFor1h(Instant.now());

    @AfterEach
    void tearDown() {
        github.close();
    }

    private PullRequestComments comments() {
        return GitHubAccess.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl())
                .credentials(GitHubCredentials.app(4242, TestKeys.appKey())).build()).comments();
    }

    private static PullRequestComments.Comment comment(OptionalLong id, String text) {
        return new PullRequestComments.Comment("alice", "fns", 77L, 7, id, MARKER, MARKER + "\n" + text);
    }

    @Test
    void createsOnceThenEditsTheSameCommentById() {
        github.server.stubFor(get(urlPathEqualTo("/repos/alice/fns/issues/7/comments"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("[]")));
        github.server.stubFor(post(urlPathEqualTo("/repos/alice/fns/issues/7/comments"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 9001, \"body\": \"x\"}")));
        github.server.stubFor(patch(urlPathEqualTo("/repos/alice/fns/issues/comments/9001"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 9001, \"body\": \"y\"}")));

        PublishResult first = comments().write(comment(OptionalLong.empty(), "first"));
        PublishResult.Delivered created = assertInstanceOf(PublishResult.Delivered.class, first);
        assertEquals(OptionalLong.of(9001), created.checkRunId());
        PublishResult second = comments().write(comment(created.checkRunId(), "second"));
        assertEquals(OptionalLong.of(9001), assertInstanceOf(PublishResult.Delivered.class, second).checkRunId());

        List<ServeEvent> calls = github.served("/repos/");
        assertEquals(List.of("GET /repos/alice/fns/issues/7/comments", "POST /repos/alice/fns/issues/7/comments",
                        "PATCH /repos/alice/fns/issues/comments/9001"),
                calls.stream().map(e -> e.getRequest().getMethod().getName() + " " + e.getRequest().getUrl()).toList());
        assertEquals(MARKER + "\nfirst", FakeGitHub.body(calls.get(1)).getString("body"));
        assertEquals(MARKER + "\nsecond", FakeGitHub.body(calls.get(2)).getString("body"));
    }

    @Test
    void anUnrecordedCommentWithTheMarkerIsEditedNotDoubled() {
        github.server.stubFor(get(urlPathEqualTo("/repos/alice/fns/issues/7/comments"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(new JsonArray().add(new JsonObject().put("id", 5).put("body", "looks good"))
                                .add(new JsonObject().put("id", 6).put("body", MARKER + "\nold")).encode())));
        github.server.stubFor(patch(urlPathEqualTo("/repos/alice/fns/issues/comments/6"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 6}")));

        PublishResult result = comments().write(comment(OptionalLong.empty(), "new"));

        assertEquals(OptionalLong.of(6), assertInstanceOf(PublishResult.Delivered.class, result).checkRunId());
        assertEquals(List.of("GET", "PATCH"), github.served("/repos/").stream()
                .map(e -> e.getRequest().getMethod().getName()).toList());
    }

    @Test
    void aServerErrorIsRetriedAndAMissingRepositoryIsRefused() {
        github.server.stubFor(get(urlPathEqualTo("/repos/alice/fns/issues/7/comments"))
                .willReturn(aResponse().withStatus(502)));
        assertInstanceOf(PublishResult.Retry.class, comments().write(comment(OptionalLong.empty(), "x")));
        github.server.resetAll();
        github.tokensValidFor1h(Instant.now());
        github.server.stubFor(get(urlPathEqualTo("/repos/alice/fns/issues/7/comments"))
                .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}")));
        assertInstanceOf(PublishResult.Refused.class, comments().write(comment(OptionalLong.empty(), "x")));
    }
}
