package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.metrics.DaemonMetrics;
import dev.driftless.reconciler.queue.Backoff;
import dev.driftless.reconciler.queue.Job;
import dev.driftless.reconciler.queue.JobKind;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobState;
import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import dev.driftless.webhook.Delivery;
import dev.driftless.webhook.DeliverySink;
import dev.driftless.webhook.GitHubEvent;
import dev.driftless.webhook.RepositoryChanged;
import dev.driftless.webhook.RepositoryRef;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreDeliverySinkTest {
    static final String SHA1 = "1".repeat(40);
    static final String SHA2 = "2".repeat(40);
    static final String ZERO = "0".repeat(40);
    static final RepositoryRef FNS = new RepositoryRef("alice", "fns", 42, false, "https://github.com/alice/fns.git", "main");

    Database db;
    JobQueue queue;
    AtomicInteger wakeups = new AtomicInteger();

    /** The store the sink writes to; the PostgreSQL subclass runs every test on a real PostgreSQL. */
    Database store() {
        return TestDatabases.h2();
    }

    @BeforeEach
    void open() {
        db = store();
        queue = new JobQueue(db, Clock.systemUTC(), Duration.ofSeconds(30), Backoff.standard());
    }

    @AfterEach
    void close() {
        db.close();
    }

    StoreDeliverySink sink(Map<String, String> env) {
        DriftlessConfig config = new ConfigLoader(env).load(Optional.empty());
        return new StoreDeliverySink(db, queue, config, new DaemonMetrics(new PrometheusRegistry(), false),
                wakeups::incrementAndGet, Clock.systemUTC());
    }

    static Delivery push(String id, RepositoryRef repo, String ref, String after, boolean deleted) {
        Optional<String> branch = ref.startsWith("refs/heads/") ? Optional.of(ref.substring(11)) : Optional.empty();
        return new Delivery(id, "push", Instant.now(), new GitHubEvent.Push(repo, ref, branch, ref.startsWith("refs/tags/"),
                false, deleted, false, SHA1, after, Optional.of(7L), "alice"));
    }

    List<String> deliveries() throws Exception {
        return db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT id, outcome FROM deliveries ORDER BY received_at, id");
                 ResultSet rows = q.executeQuery()) {
                List<String> all = new ArrayList<>();
                while (rows.next()) {
                    all.add(rows.getString(1) + "=" + rows.getString(2));
                }
                return all;
            }
        });
    }

    long queued() throws Exception {
        return queue.depthByState().get(JobState.QUEUED);
    }

    static Delivery pullRequest(String id, String action, int number, String head, boolean fork) {
        return new Delivery(id, "pull_request", Instant.now(), new GitHubEvent.PullRequest(action, number, FNS, head,
                "feature", fork ? "mallory/fns" : "alice/fns", fork, false, Optional.of(7L)));
    }

    @Test
    void aGroupCommitAuditsEveryPushOfTheBatchInOrderAndNoneOfARedelivery() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        dev.driftless.reconciler.audit.AuditLog audit = new dev.driftless.reconciler.audit.AuditLog(db, Clock.systemUTC());
        sink.onRecorded(new dev.driftless.reconciler.audit.IntakeAuditor(audit));
        sink.acceptAll(List.of(push("a1", FNS, "refs/heads/main", SHA1, false), push("a2", FNS, "refs/heads/main", SHA2, false),
                push("a1", FNS, "refs/heads/main", SHA1, false), push("a3", FNS, "refs/tags/v1", SHA2, false)));
        assertEquals(List.of("a1=queued", "a2=coalesced", "a3=tag"), deliveries());
        List<String> audited = audit.page("alice", 0, 10).entries().stream()
                .map(e -> e.action() + " " + e.detail().getString("delivery") + " " + e.detail().getString("outcome")).toList();
        assertEquals(List.of("push a1 queued", "push a2 coalesced", "push a3 tag"), audited,
                "one entry per recorded delivery, in the batch's order, with the outcome it ended with; the redelivered a1 adds none");
    }

    @Test
    void aPullRequestQueuesOnePreviewJobForItsNewestHeadAndClosingQueuesItsRemoval() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        sink.acceptAll(List.of(pullRequest("p1", "opened", 3, SHA1, false), pullRequest("p2", "synchronize", 3, SHA2, false),
                pullRequest("p3", "labeled", 3, SHA2, false)));
        assertEquals(List.of("p1=queued", "p2=coalesced", "p3=ignored"), deliveries());
        Job job = queue.claim("w").orElseThrow();
        assertEquals(JobKind.PREVIEW, job.kind());
        assertEquals(Optional.of("pull/3"), job.branch());
        assertEquals(Optional.of(SHA2), job.headSha(), "the newest push to the PR wins");
        assertEquals(Optional.of("{\"number\":3,\"closed\":false,\"fromFork\":false}"), job.payload());
        queue.complete(job, dev.driftless.reconciler.queue.JobResult.succeeded("built"));

        sink.accept(pullRequest("p4", "closed", 3, SHA2, false));
        Job close = queue.claim("w").orElseThrow();
        assertEquals(JobKind.PREVIEW, close.kind());
        assertTrue(close.payload().orElseThrow().contains("\"closed\":true"), close.payload().toString());
    }

    @Test
    void aPullRequestFromAForkIsRecordedButNotBuiltUnlessForksAreAllowed() throws Exception {
        sink(Map.of()).accept(pullRequest("f1", "opened", 4, SHA1, true));
        assertEquals(List.of("f1=fork-not-built"), deliveries());
        assertEquals(0L, queued());

        sink(Map.of("DRIFTLESS_PREVIEWS_FROM_FORKS", "true")).accept(pullRequest("f2", "synchronize", 4, SHA2, true));
        Job job = queue.claim("w").orElseThrow();
        assertEquals(JobKind.PREVIEW, job.kind());
        assertTrue(job.payload().orElseThrow().contains("\"fromFork\":true"), "the job knows: no secrets for it");
    }

    @Test
    void pullRequestsAreIgnoredWhenPreviewsAreOff() throws Exception {
        sink(Map.of("DRIFTLESS_PREVIEWS", "false")).accept(pullRequest("o1", "opened", 5, SHA1, false));
        assertEquals(List.of("o1=ignored"), deliveries());
        assertEquals(0L, queued());
    }

    @Test
    void aPushToTheDefaultBranchIsRecordedWithItsJobAndARedeliveryQueuesNothing() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        assertEquals(DeliverySink.Result.RECORDED, sink.accept(push("d1", FNS, "refs/heads/main", SHA1, false)));
        assertEquals(DeliverySink.Result.DUPLICATE, sink.accept(push("d1", FNS, "refs/heads/main", SHA2, false)));
        assertEquals(1L, queued());
        assertEquals(List.of("d1=queued"), deliveries());
        Job job = queue.claim("w").orElseThrow();
        assertEquals(JobKind.RECONCILE, job.kind());
        assertEquals("alice", job.owner());
        assertEquals("fns", job.repository());
        assertEquals(Optional.of("main"), job.branch());
        assertEquals(Optional.of(SHA1), job.headSha(), "the redelivery did not change the job");
        assertEquals(1, wakeups.get());
        String repo = db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT source, clone_url, default_branch, installation_id, github_id, active FROM repositories");
                 ResultSet r = q.executeQuery()) {
                r.next();
                return String.join(" ", r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                        String.valueOf(r.getBoolean(6)));
            }
        });
        assertEquals("github https://github.com/alice/fns.git main 7 42 true", repo);
    }

    @Test
    void tagsOtherBranchesAndDeletionsAreRecordedButBuildNothing() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        sink.accept(push("tag", FNS, "refs/tags/v1", SHA1, false));
        sink.accept(push("dev", FNS, "refs/heads/dev", SHA1, false));
        sink.accept(push("del", FNS, "refs/heads/main", ZERO, true));
        assertEquals(0L, queued());
        assertEquals(List.of("del=branch-deleted", "dev=not-tracked-branch", "tag=tag"),
                deliveries().stream().sorted().toList());
    }

    @Test
    void theConfiguredTrackedBranchWinsOverTheDefaultBranch() throws Exception {
        StoreDeliverySink sink = sink(Map.of("DRIFTLESS_TRACKED_BRANCH", "release"));
        sink.accept(push("main", FNS, "refs/heads/main", SHA1, false));
        sink.accept(push("release", FNS, "refs/heads/release", SHA2, false));
        assertEquals(Optional.of("release"), queue.claim("w").orElseThrow().branch());
        assertEquals(List.of("main=not-tracked-branch", "release=queued"), deliveries().stream().sorted().toList());
    }

    @Test
    void ownersOutsideTheAllowListAreRecordedOnly() throws Exception {
        sink(Map.of("DRIFTLESS_ALLOWED_OWNERS", "bob")).accept(push("d1", FNS, "refs/heads/main", SHA1, false));
        assertEquals(0L, queued());
        assertEquals(List.of("d1=owner-not-allowed"), deliveries());
    }

    @Test
    void pushesCoalesceIntoTheQueuedJob() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        sink.accept(push("d1", FNS, "refs/heads/main", SHA1, false));
        sink.accept(push("d2", FNS, "refs/heads/main", SHA2, false));
        assertEquals(1L, queued());
        assertEquals(Optional.of(SHA2), queue.claim("w").orElseThrow().headSha());
        assertEquals(List.of("d1=queued", "d2=coalesced"), deliveries().stream().sorted().toList());
    }

    @Test
    void installationEventsRecordRepositoriesAndRemovalsQueueGc() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        RepositoryRef other = new RepositoryRef("alice", "other", 43, true, null, null);
        sink.accept(new Delivery("i1", "installation", Instant.now(),
                new GitHubEvent.Installation("created", 7, "alice", "User", List.of(FNS, other))));
        assertEquals(0L, queued());
        sink.accept(new Delivery("r1", "installation_repositories", Instant.now(),
                new GitHubEvent.InstallationRepositories("removed", 7, "alice", List.of(), List.of(other))));
        Job gc = queue.claim("w").orElseThrow();
        assertEquals(JobKind.GC, gc.kind());
        assertEquals("other", gc.repository());
        queue.complete(gc, new dev.driftless.reconciler.queue.JobResult.Succeeded("ok"));
        sink.accept(new Delivery("i2", "installation", Instant.now(),
                new GitHubEvent.Installation("deleted", 7, "alice", "User", List.of())));
        Job last = queue.claim("w").orElseThrow();
        assertEquals("gc:alice/fns", last.key(), "the remaining active repository of the installation is collected");
        assertTrue(queue.claim("w").isEmpty());
        assertEquals(List.of("i1=recorded", "i2=gc-queued", "r1=gc-queued"), deliveries().stream().sorted().toList());
    }

    @Test
    void pingAndOtherEventsAreRecordedOnly() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        sink.accept(new Delivery("p", "ping", Instant.now(), new GitHubEvent.Ping("Keep it logically awesome.", 1)));
        sink.accept(new Delivery("o", "issues", Instant.now(), new GitHubEvent.Other("issues")));
        assertEquals(0L, queued());
        assertEquals(List.of("o=ignored", "p=ping"), deliveries().stream().sorted().toList());
    }

    @Test
    void gitPushesToTheBuiltInEndpointQueueReconcilesOfTheTrackedBranch() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        sink.pushed(List.of(
                new RepositoryChanged("alice", "fns", "refs/heads/main", ZERO, SHA1, "/data/git/alice/fns.git"),
                new RepositoryChanged("alice", "fns", "refs/heads/topic", ZERO, SHA1, "/data/git/alice/fns.git"),
                new RepositoryChanged("alice", "fns", "refs/tags/v1", ZERO, SHA1, "/data/git/alice/fns.git")));
        Job job = queue.claim("w").orElseThrow();
        assertEquals("reconcile:alice/fns@main", job.key());
        assertEquals("git-push", job.reason().dbName());
        assertTrue(queue.claim("w").isEmpty());
        assertEquals(List.of("not-tracked-branch", "queued", "tag"),
                deliveries().stream().map(d -> d.substring(d.indexOf('=') + 1)).sorted().toList());
    }

    @Test
    void otherBranchesPushedToTheBuiltInEndpointGetPreviewJobsOnlyWhileTheRepositorySwitchedThemOn() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        String clone = "/data/git/alice/fns.git";
        assertEquals(List.of(), sink.pushedTelling(List.of(new RepositoryChanged("alice", "fns", "refs/heads/topic", ZERO,
                SHA1, clone))), "switched off: nothing promised");
        assertEquals(0L, queued(), "switched off: no job");

        db.inTransaction(tx -> {
            new dev.driftless.reconciler.reconcile.PreviewSettings().put(tx, "alice", "fns",
                    new dev.driftless.reconciler.reconcile.PreviewSettings.Switches(true, true), Instant.now());
            return null;
        });
        List<String> told = sink.pushedTelling(List.of(
                new RepositoryChanged("alice", "fns", "refs/heads/main", SHA1, SHA2, clone),
                new RepositoryChanged("alice", "fns", "refs/heads/topic", SHA1, SHA2, clone)));
        assertEquals(List.of("preview of branch topic queued: each function answers as <function>--topic at"
                + " https://alice.<domain>/<function>--topic"), told, "the tracked branch is production, never a preview");
        List<String> jobs = new ArrayList<>();
        for (Optional<Job> job = queue.claim("w"); job.isPresent(); job = queue.claim("w")) {
            jobs.add(job.get().key() + " " + job.get().headSha().orElse("-") + " " + job.get().payload().orElse("-"));
            queue.complete(job.get(), dev.driftless.reconciler.queue.JobResult.succeeded("done")); // one per repository runs
        }
        assertEquals(List.of("preview:alice/fns@branch/topic " + SHA2 + " {\"branch\":\"topic\",\"deleted\":false}",
                "reconcile:alice/fns@main " + SHA2 + " -"), jobs.stream().sorted().toList());

        sink.pushed(List.of(new RepositoryChanged("alice", "fns", "refs/heads/topic", SHA2, ZERO, clone)));
        Job removal = queue.claim("w").orElseThrow();
        assertEquals("preview:alice/fns@branch/topic", removal.key());
        assertEquals(Optional.empty(), removal.headSha());
        assertEquals(Optional.of("{\"branch\":\"topic\",\"deleted\":true}"), removal.payload());
    }

    @Test
    void aFailureInsideTheTransactionLeavesNothingBehind() throws Exception {
        StoreDeliverySink sink = sink(Map.of());
        // A repository name longer than the column: the insert of the repository fails after the delivery row.
        RepositoryRef huge = new RepositoryRef("alice", "x".repeat(300), 1, false, "https://github.com/a/b.git", "main");
        try {
            sink.accept(push("d1", huge, "refs/heads/main", SHA1, false));
        } catch (Exception expected) {
            // the handler answers 500 and GitHub may redeliver: the delivery id must not be taken
        }
        assertEquals(List.of(), deliveries());
        assertEquals(0L, queued());
    }
}
