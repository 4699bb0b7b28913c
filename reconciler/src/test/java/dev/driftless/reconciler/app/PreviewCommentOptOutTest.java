package dev.driftless.reconciler.app;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.driftless.builder.BuildResult;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.builder.FunctionSpec;
import dev.driftless.builder.ImageRef;
import dev.driftless.builder.RepoSource;
import dev.driftless.reconciler.reconcile.PreviewSettings;
import dev.driftless.reconciler.reconcile.Previews;
import dev.driftless.reconciler.reconcile.ReconcileOutcome;
import dev.driftless.reconciler.reconcile.ReconcileRequest;
import dev.driftless.reconciler.reconcile.Reconciler;
import dev.driftless.reconciler.reconcile.RepositoryHeads;
import dev.driftless.reconciler.reconcile.Urls;
import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.status.GitHubAccess;
import dev.driftless.status.GitHubConfig;
import dev.driftless.status.GitHubCredentials;
import dev.driftless.status.StatusOutbox;
import dev.driftless.status.StatusPublisher;
import dev.driftless.status.StatusSender;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code previews: {comment: false}} in a repository's {@code .driftless.yml} (stored in {@code repository_previews}):
 * a pull request's preview of that repository sends its commit statuses to a WireMock GitHub but no comment request
 * at all, while a repository with the default gets its one comment through the same parts.
 */
class PreviewCommentOptOutTest {
    private static final String HEAD = "1".repeat(40);

    private Database store;
    private WireMockServer github;
    private StatusSender sender;
    private PreviewComments comments;
    private Previews previews;

    @BeforeEach
    void start() throws Exception {
        store = TestDatabases.h2();
        github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        github.start();
        github.stubFor(post(urlMatching("/repos/alice/.*/statuses/[0-9a-f]{40}"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{}")));
        github.stubFor(get(urlPathMatching("/repos/alice/.*/issues/7/comments"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("[]")));
        github.stubFor(post(urlPathMatching("/repos/alice/.*/issues/7/comments"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": 9001, \"body\": \"x\"}")));
        GitHubAccess access = GitHubAccess.create(GitHubConfig.builder().apiBaseUrl(github.baseUrl())
                .credentials(GitHubCredentials.personalAccessToken("ghp_previewCommentOptOut0123456789"))
                .mode(StatusPublisher.Mode.COMMIT_STATUSES).build());
        sender = StatusSender.builder(store.dataSource(), access.publisher()).pollInterval(Duration.ofMillis(50)).build();
        sender.start();
        OutboxStatuses statuses = new OutboxStatuses(new StatusOutbox(store.dataSource()), Optional.of(sender), true, false);
        FunctionRuntime runtime = new MapRuntime();
        Reconciler reconciler = new Reconciler(store, request -> null, runtime, statuses, new RepositoryHeads(),
                new Urls("example.com", 443), Clock.systemUTC());
        comments = new PreviewComments(store, access.comments(), Clock.systemUTC());
        previews = new Previews(store, request -> new BuildResult(request.commit(), List.of(new FunctionBuild("hello",
                FunctionBuild.Outcome.BUILT, Optional.of(ImageRef.parse("local/alice/hello@sha256:" + "d".repeat(64))), "",
                new FunctionSpec("hello", "python3", Map.of(), List.of(), Map.of(), Map.of(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), true), "key"))),
                runtime, statuses, new Urls("example.com", 443), reconciler, 5, Clock.systemUTC())
                .withListener(comments);
        for (String repository : List.of("quiet", "chatty")) {
            store.inTransaction(tx -> {
                try (PreparedStatement insert = tx.prepareStatement("INSERT INTO repositories (owner, name, source,"
                        + " clone_url, default_branch, active, updated_at) VALUES ('alice', ?, 'github', ?, 'main', TRUE,"
                        + " CURRENT_TIMESTAMP)")) {
                    insert.setString(1, repository);
                    insert.setString(2, "https://github.com/alice/" + repository + ".git");
                    insert.executeUpdate();
                }
                return null;
            });
        }
        store.inTransaction(tx -> {
            new PreviewSettings().put(tx, "alice", "quiet", new PreviewSettings.Switches(false, false), Instant.now());
            return null;
        });
    }

    @AfterEach
    void stop() throws Exception {
        sender.stop(Duration.ofSeconds(5));
        github.stop();
        store.close();
    }

    @Test
    void commentFalseStopsTheCommentWhileTheStatusesStillGoOut() throws Exception {
        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, previews.deploy(pullRequest("quiet"), 7, true).kind());
        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, previews.deploy(pullRequest("chatty"), 7, true).kind());

        awaitStatus("quiet");
        awaitStatus("chatty");
        assertEquals(1, comments.deliverDue(), "only the repository with the default has a comment to write");
        assertEquals(0, github.findAll(anyRequestedFor(urlPathMatching("/repos/alice/quiet/issues/.*"))).size(),
                "no comment request for the repository that said comment: false");
        assertEquals(1, github.findAll(postRequestedFor(urlPathEqualTo("/repos/alice/chatty/issues/7/comments"))).size());
        assertEquals(0, comments.deliverDue(), "nothing left over for later");
    }

    private static ReconcileRequest pullRequest(String repository) {
        return new ReconcileRequest("alice", repository, "pull/7", RepoSource.of("unused"), Optional.of(HEAD),
                "pull-request", Optional.empty(), Map.of());
    }

    /** Waits for the preview's success status to reach GitHub (the sender delivers on its own thread). */
    private void awaitStatus(String repository) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            boolean delivered = github.findAll(postRequestedFor(urlPathEqualTo("/repos/alice/" + repository
                    + "/statuses/" + HEAD))).stream().map(r -> new JsonObject(r.getBodyAsString()))
                    .anyMatch(s -> s.getString("context").equals("driftless/hello--pr-7")
                            && s.getString("state").equals("success"));
            if (delivered) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the success status of " + repository + "'s preview never reached GitHub: "
                + github.findAll(anyRequestedFor(urlPathMatching("/.*"))).stream().map(r -> r.getUrl()).toList());
    }

    /** Runs what it is given, at once. */
    private static final class MapRuntime implements FunctionRuntime {
        private final Map<String, FunctionDeployment> running = new ConcurrentHashMap<>();

        @Override
        public String kind() {
            return "map";
        }

        @Override
        public RolloutResult deploy(FunctionDeployment deployment) {
            running.put(deployment.owner() + "/" + deployment.function(), deployment);
            return new RolloutResult(RolloutResult.Outcome.ROLLED_OUT, "Created", "serving", Duration.ZERO, List.of());
        }

        @Override
        public List<DeployedFunction> list(String owner, String repository) {
            return listOwner(owner).stream().filter(d -> d.repository().equals(repository)).toList();
        }

        @Override
        public List<DeployedFunction> listOwner(String owner) {
            return running.values().stream().filter(d -> d.owner().equals(owner)).map(d -> new DeployedFunction(
                    d.owner(), d.repository(), d.function(), d.image(), d.commit(), d.release(), 1, 1)).toList();
        }

        @Override
        public void remove(String owner, String repository, String function) {
            running.remove(owner + "/" + function);
        }

        @Override
        public List<String> recentLogs(String owner, String function, int maxLines) {
            return List.of();
        }

        @Override
        public void close() {
        }
    }
}
