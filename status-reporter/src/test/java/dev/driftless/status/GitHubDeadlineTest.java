package dev.driftless.status;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.driftless.status.CommitStatus.State.PENDING;
import static dev.driftless.status.Statuses.SHA1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** github-api's connector has no timeout of its own: a GitHub that stops answering is a retryable network error. */
class GitHubDeadlineTest {
    private final FakeGitHub github = new FakeGitHub();

    @AfterEach
    void tearDown() {
        github.close();
    }

    @Test
    void aCallGitHubDoesNotAnswerInTimeIsRetriedLater() {
        github.server.stubFor(post(urlPathMatching("/repos/.*")).willReturn(aResponse().withStatus(201).withBody("{}")
                .withFixedDelay(6_000)));
        StatusPublisher publisher = StatusPublisher.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl())
                .credentials(GitHubCredentials.personalAccessToken("ghp_deadline"))
                .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(1)).build());
        PublishResult result = publisher.publish(Statuses.on(SHA1, 1).installationId(null).stack().state(PENDING)
                .description("building").build(), OptionalLong.empty());
        PublishResult.Retry retry = assertInstanceOf(PublishResult.Retry.class, result);
        assertEquals(0, retry.httpStatus(), "no answer came");
        assertTrue(retry.reason().startsWith("network error: SocketTimeoutException GitHub did not answer within"), retry.reason());
    }
}
