package dev.driftless.reconciler.app;

import dev.driftless.builder.RepoSource;
import dev.driftless.reconciler.queue.Job;
import dev.driftless.reconciler.queue.JobHandler;
import dev.driftless.reconciler.queue.JobResult;
import dev.driftless.reconciler.reconcile.ReconcileOutcome;
import dev.driftless.reconciler.reconcile.ReconcileRequest;
import dev.driftless.reconciler.reconcile.Reconciler;
import dev.driftless.reconciler.reconcile.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Turns queued jobs into reconcile passes: {@code reconcile} builds and rolls out a repository's tracked
 * branch; {@code gc} removes what a repository deployed once it is no longer served.
 */
final class ReconcileJobs {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileJobs.class);

    private final Transactions store;
    private final Reconciler reconciler;
    private final CheckoutTokens tokens;
    private final Optional<String> trackedBranch;
    private final Predicate<String> ownerAllowed;
    private final TrackedRepositories repositories = new TrackedRepositories();

    ReconcileJobs(Transactions store, Reconciler reconciler, CheckoutTokens tokens, Optional<String> trackedBranch,
                  Predicate<String> ownerAllowed) {
        this.store = store;
        this.reconciler = reconciler;
        this.tokens = tokens;
        this.trackedBranch = trackedBranch;
        this.ownerAllowed = ownerAllowed;
    }

    JobHandler reconcile() {
        return this::reconcile;
    }

    JobHandler gc() {
        return job -> {
            int removed = reconciler.removeRepository(job.owner(), job.repository());
            return JobResult.succeeded("removed " + removed + " function(s) of " + job.owner() + "/" + job.repository());
        };
    }

    private JobResult reconcile(Job job) throws Exception {
        Optional<TrackedRepositories.Tracked> found = store.inTransaction(tx ->
                repositories.find(tx, job.owner(), job.repository()));
        if (found.isEmpty()) {
            return JobResult.failed("repository " + job.owner() + "/" + job.repository() + " is not known");
        }
        TrackedRepositories.Tracked repository = found.get();
        if (!repository.active()) {
            return JobResult.succeeded("repository is no longer served");
        }
        if (repository.suspended()) {
            LOG.info("event=reconcile_skipped owner={} repository={} reason=suspended", job.owner(), job.repository());
            return JobResult.succeeded("suspended");
        }
        if (!ownerAllowed.test(job.owner())) {
            return JobResult.failed("owner '" + job.owner() + "' is not allowed on this Driftless");
        }
        String branch = job.branch().or(() -> trackedBranch).or(repository::defaultBranch).orElse("main");
        Optional<String> token = repository.fromGitHub() ? tokens.token(repository.installationId()) : Optional.empty();
        ReconcileRequest request = new ReconcileRequest(job.owner(), job.repository(), branch,
                new RepoSource(repository.cloneUrl(), token), job.headSha(), job.reason().dbName(),
                repository.installationId(), Map.of());
        ReconcileOutcome outcome = reconciler.reconcile(request);
        return switch (outcome.kind()) {
            case SUCCEEDED, SKIPPED -> JobResult.succeeded(outcome.message());
            case FAILED -> JobResult.failed(outcome.message());
            case RETRY -> JobResult.retryLater(outcome.message());
        };
    }
}
