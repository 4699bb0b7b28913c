package dev.driftless.reconciler.app;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.driftless.reconciler.reconcile.PreviewRecords.Preview;
import dev.driftless.reconciler.store.Database;
import dev.driftless.status.GitHubAccess;
import dev.driftless.status.GitHubConfig;
import dev.driftless.status.GitHubCredentials;
import dev.driftless.status.StatusPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PR comment's queue against a WireMock GitHub: one POST, then edits by id; pushes in between coalesce. Run on
 * H2 ({@link PreviewCommentsH2Test}) and a real PostgreSQL ({@link PreviewCommentsPostgresTest}): the lease and
 * revision SQL must hold on both.
 */
abstract class PreviewCommentsContract {
    private static final String COMMENTS = "/repos/alice/fns/issues/7/comments";
    private static final String COMMENT = "/repos/alice/fns/issues/comments/9001";

    abstract Database open();

    private Database store;
    private WireMockServer github;
    private PreviewComments comments;

    @BeforeEach
    void start() {
        store = open();
        github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        github.start();
        github.stubFor(get(urlPathEqualTo(COMMENTS))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("[]")));
        github.stubFor(post(urlPathEqualTo(COMMENTS))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 9001, \"body\": \"x\"}")));
        github.stubFor(patch(urlPathEqualTo(COMMENT))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 9001, \"body\": \"y\"}")));
        GitHubAccess access = GitHubAccess.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl())
                .credentials(GitHubCredentials.personalAccessToken("ghp_previewCommentsTest0123456789"))
                .mode(StatusPublisher.Mode.COMMIT_STATUSES).build());
        comments = new PreviewComments(store, access.comments(), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        github.stop();
        store.close();
    }

    @Test
    void theFirstDeliveryCreatesTheCommentAndLaterOnesEditItInPlace() throws Exception {
        changed("a".repeat(40), List.of(preview("a".repeat(40))), List.of());
        changed("b".repeat(40), List.of(preview("b".repeat(40))), List.of("other (build failed)"));
        assertEquals(1, comments.deliverDue(), "two pushes before delivery coalesce into one write");
        assertEquals(1, github.findAll(postRequestedFor(urlPathEqualTo(COMMENTS))).size());
        String created = github.findAll(postRequestedFor(urlPathEqualTo(COMMENTS))).get(0).getBodyAsString();
        assertTrue(created.contains("bbbbbbb") && created.contains("https://alice.example.com/hello--pr-7")
                && created.contains("other (build failed)"), created);
        assertFalse(created.contains("aaaaaaa"), "the newest text only");
        assertEquals(0, comments.deliverDue(), "nothing is due once delivered");

        changed("c".repeat(40), List.of(preview("c".repeat(40))), List.of());
        assertEquals(1, comments.deliverDue());
        assertEquals(1, github.findAll(postRequestedFor(urlPathEqualTo(COMMENTS))).size(), "no second comment");
        assertEquals(1, github.findAll(patchRequestedFor(urlPathEqualTo(COMMENT))).size());
        assertTrue(github.findAll(patchRequestedFor(urlPathEqualTo(COMMENT))).get(0).getBodyAsString().contains("ccccccc"));

        store.inTransaction(tx -> {
            comments.changed(tx, "alice", "fns", 7, Optional.empty(), "", List.of(), List.of(), true);
            return null;
        });
        assertEquals(1, comments.deliverDue());
        assertTrue(github.findAll(patchRequestedFor(urlPathEqualTo(COMMENT))).get(1).getBodyAsString().contains("were removed"));
    }

    @Test
    void aPullRequestClosedBeforeItHadACommentGetsNone() throws Exception {
        store.inTransaction(tx -> {
            comments.changed(tx, "alice", "fns", 7, Optional.empty(), "", List.of(), List.of(), true);
            return null;
        });
        assertEquals(0, comments.deliverDue());
        assertEquals(0, github.getAllServeEvents().size());
    }

    private void changed(String commit, List<Preview> serving, List<String> failed) throws Exception {
        store.inTransaction(tx -> {
            comments.changed(tx, "alice", "fns", 7, Optional.empty(), commit, serving, failed, false);
            return null;
        });
    }

    private static Preview preview(String commit) {
        return new Preview("alice", "hello--pr-7", "fns", 7, "hello", commit, "local/alice/fns/hello@sha256:" + "d".repeat(64),
                "https://alice.example.com/hello--pr-7", "{}", true, Instant.now(), Optional.empty());
    }
}
