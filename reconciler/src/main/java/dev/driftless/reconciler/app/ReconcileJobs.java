package dev.driftless.reconciler.app;

import dev.driftless.builder.RepoSource;
import dev.driftless.reconciler.queue.Job;
import dev.driftless.reconciler.queue.JobHandler;
import dev.driftless.reconciler.queue.JobResult;
import dev.driftless.reconciler.reconcile.PreviewSource;
import dev.driftless.reconciler.reconcile.Previews;
import dev.driftless.reconciler.reconcile.ReconcileOutcome;
import io.vertx.core.json.JsonObject;
import dev.driftless.reconciler.reconcile.ReconcileRequest;
import dev.driftless.reconciler.reconcile.Reconciler;
import dev.driftless.reconciler.reconcile.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * A preview of a pull request (payload {@code number}, {@code closed}, {@code fromFork}: a fork's previews never
     * get the owner's secrets) or of a branch pushed to the built-in git endpoint (payload {@code branch},
     * {@code deleted}; the owner pushed it with their own token, so it runs with their secrets): its head built as
     * previews, or its previews removed.
     */
    JobHandler preview(Previews previews) {
        return job -> {
            JsonObject payload = new JsonObject(job.payload().orElse("{}"));
            PreviewSource source;
            boolean removal;
            boolean withSecrets;
            String branch;
            if (payload.containsKey("branch")) {
                branch = payload.getString("branch");
                source = PreviewSource.branch(branch);
                removal = payload.getBoolean("deleted", false);
                withSecrets = true;
            } else {
                int number = payload.getInteger("number", 0);
                if (number <= 0) {
                    return JobResult.failed("preview job without a pull request number");
                }
                source = PreviewSource.pullRequest(number);
                removal = payload.getBoolean("closed", false);
                withSecrets = !payload.getBoolean("fromFork", false);
                branch = job.branch().orElseThrow();
            }
            if (removal) {
                int removed = previews.close(job.owner(), job.repository(), source);
                return JobResult.succeeded("removed " + removed + " preview function(s) of " + source.describe());
            }
            Optional<TrackedRepositories.Tracked> found = store.inTransaction(tx ->
                    repositories.find(tx, job.owner(), job.repository()));
            if (found.isEmpty() || !found.get().active() || found.get().suspended()) {
                return JobResult.succeeded("repository is not served; no preview");
            }
            if (!ownerAllowed.test(job.owner())) {
                return JobResult.failed("owner '" + job.owner() + "' is not allowed on this Driftless");
            }
            TrackedRepositories.Tracked repository = found.get();
            Optional<String> elsewhere = onAnotherReplica(repository, job.headSha());
            if (elsewhere.isPresent()) {
                return new JobResult.HandBack(elsewhere.get());
            }
            Optional<String> token = repository.fromGitHub() ? tokens.token(repository.installationId()) : Optional.empty();
            ReconcileRequest request = new ReconcileRequest(job.owner(), job.repository(), branch,
                    new RepoSource(repository.cloneUrl(), token), job.headSha(),
                    source.pullRequest() ? "pull-request" : "branch-preview", repository.installationId(), Map.of());
            return result(previews.deploy(request, source, withSecrets));
        };
    }

    private static JobResult result(ReconcileOutcome outcome) {
        return switch (outcome.kind()) {
            case SUCCEEDED, SKIPPED -> JobResult.succeeded(outcome.message());
            case FAILED -> JobResult.failed(outcome.message());
            case RETRY -> JobResult.retryLater(outcome.message());
        };
    }

    JobHandler gc(Previews previews) {
        return job -> {
            int removed = reconciler.removeRepository(job.owner(), job.repository())
                    + previews.closeRepository(job.owner(), job.repository());
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
        Optional<String> elsewhere = onAnotherReplica(repository, job.headSha());
        if (elsewhere.isPresent()) {
            LOG.info("event=reconcile_deferred owner={} repository={} reason=\"{}\"", job.owner(), job.repository(),
                    elsewhere.get());
            return new JobResult.HandBack(elsewhere.get());
        }
        String branch = job.branch().or(() -> trackedBranch).or(repository::defaultBranch).orElse("main");
        Optional<String> token = repository.fromGitHub() ? tokens.token(repository.installationId()) : Optional.empty();
        ReconcileRequest request = new ReconcileRequest(job.owner(), job.repository(), branch,
                new RepoSource(repository.cloneUrl(), token), job.headSha(), job.reason().dbName(),
                repository.installationId(), Map.of());
        return result(reconciler.reconcile(request));
    }

    /**
     * A repository pushed to the built-in git endpoint lives on the disk of the replica that took the push.
     * Another replica that claims its job cannot build it: it says so and hands the job back, so that the
     * holder (which claims jobs too) claims it next; a hand-back spends none of the job's attempts.
     */
    static Optional<String> onAnotherReplica(TrackedRepositories.Tracked repository, Optional<String> commit) {
        if (repository.fromGitHub() || !repository.cloneUrl().startsWith("/")) {
            return Optional.empty();
        }
        String why = "repository " + repository.owner() + "/" + repository.name() + " was pushed to the built-in git "
                + "endpoint of another replica, whose disk holds it; with several replicas, push through GitHub";
        Path folder = Path.of(repository.cloneUrl());
        if (!Files.isDirectory(folder)) {
            return Optional.of(why);
        }
        if (commit.isEmpty() || !ObjectId.isId(commit.get())) {
            return Optional.empty();
        }
        try (Repository git = new FileRepositoryBuilder().setGitDir(folder.toFile()).setMustExist(true).build()) {
            return git.getObjectDatabase().has(ObjectId.fromString(commit.get())) ? Optional.empty() : Optional.of(why);
        } catch (IOException e) {
            return Optional.empty(); // the checkout reports what is wrong with the repository
        }
    }
}
