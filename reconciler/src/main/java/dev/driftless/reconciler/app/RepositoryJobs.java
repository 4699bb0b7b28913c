package dev.driftless.reconciler.app;

import dev.driftless.reconciler.queue.Job;
import dev.driftless.reconciler.queue.JobHandler;
import dev.driftless.reconciler.queue.JobResult;
import dev.driftless.reconciler.reconcile.Reconciler;
import dev.driftless.reconciler.reconcile.Transactions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;

/**
 * Rollbacks, suspends and resumes as jobs on the queue: like a reconcile they run on whichever replica claims
 * them, one job of a repository at a time, so a rollback never interleaves with another replica's reconcile.
 */
final class RepositoryJobs {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryJobs.class);

    private final Transactions store;
    private final Reconciler reconciler;

    RepositoryJobs(Transactions store, Reconciler reconciler) {
        this.store = store;
        this.reconciler = reconciler;
    }

    JobHandler rollback() {
        return this::rollback;
    }

    JobHandler suspend() {
        return this::suspend;
    }

    private JobResult rollback(Job job) throws Exception {
        JsonObject payload = new JsonObject(job.payload().orElse("{}"));
        String function = payload.getString("function");
        Integer release = payload.getInteger("release");
        if (function == null || release == null) {
            return new JobResult.Failed("a rollback job needs a function and a release");
        }
        Reconciler.RollbackResult result;
        try {
            result = reconciler.rollback(job.owner(), function, release);
        } catch (IllegalArgumentException e) {
            return new JobResult.Failed(e.getMessage());
        }
        if (result.rollout().failed()) {
            return new JobResult.Failed("rollback of " + function + " to release " + release + " failed: "
                    + result.rollout().reason() + ": " + result.rollout().message());
        }
        LOG.info("event=rollback_done job={} owner={} function={} release={} new_release={}", job.id(), job.owner(),
                function, release, result.release().number());
        return new JobResult.Succeeded("rolled back " + function + " to release " + release + " as release "
                + result.release().number());
    }

    private JobResult suspend(Job job) throws Exception {
        boolean suspended = new JsonObject(job.payload().orElse("{}")).getBoolean("suspended", true);
        boolean found = store.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement(
                    "UPDATE repositories SET suspended = ? WHERE owner = ? AND name = ?")) {
                update.setBoolean(1, suspended);
                update.setString(2, job.owner());
                update.setString(3, job.repository());
                return update.executeUpdate() == 1;
            }
        });
        if (!found) {
            return new JobResult.Failed("no repository " + job.owner() + "/" + job.repository());
        }
        LOG.info("event=repository_{} job={} owner={} repository={}", suspended ? "suspended" : "resumed", job.id(),
                job.owner(), job.repository());
        return new JobResult.Succeeded((suspended ? "suspended " : "resumed ") + job.owner() + "/" + job.repository());
    }
}
