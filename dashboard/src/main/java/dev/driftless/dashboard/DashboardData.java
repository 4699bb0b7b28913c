package dev.driftless.dashboard;

import java.util.List;
import java.util.Optional;

/**
 * What the dashboard and the API read and do; the reconciler implements it over its store, runtime
 * and gateway. Every method blocks (JDBC, runtime calls): the routes call them on a worker pool.
 * Callers have already checked that the principal may see {@code owner}.
 */
public interface DashboardData {

    /** The repositories of an owner, by name. */
    List<String> repositories(String owner);

    /** Every function of the owner, by name. */
    List<Views.FunctionRow> functions(String owner);

    Optional<Views.FunctionDetail> function(String owner, String function);

    Optional<Views.BuildView> build(String owner, long buildId);

    /** Log lines of one function in a build ('' for the whole build) from line {@code fromLine} on, for live updates. */
    Views.LogChunk buildLog(String owner, long buildId, String function, int fromLine);

    Optional<Views.RepositoryView> repository(String owner, String repository);

    /**
     * Queues suspending (no builds, no drift correction; what runs keeps running) or resuming a repository, as
     * Flux's suspend, as a job on the repository's queue; returns once the job is stored. Empty when the owner
     * has no such repository.
     */
    Optional<Views.JobView> queueSuspend(String owner, String repository, boolean suspended) throws Exception;

    /**
     * Queues redeploying release {@code release}'s digest as a new release (no rebuild) as a job on the queue of
     * the function's repository; returns once the job is stored. Empty when there is no such function or release.
     */
    Optional<Views.JobView> queueRollback(String owner, String function, int release) throws Exception;

    /** A job queued by {@link #queueSuspend} or {@link #queueRollback}, if it is the owner's. */
    Optional<Views.JobView> job(String owner, long id) throws Exception;

    /**
     * One page of the owner's audit trail, newest first, at most {@code limit} rows: the entries just older than
     * {@code before}, or just newer than {@code after}, or (neither given) the newest.
     */
    Views.AuditPage audit(String owner, Optional<Long> before, Optional<Long> after, int limit);

    /** The owner's secrets by name: names, sizes, origins and dates, never values. */
    List<Views.SecretRow> secrets(String owner);

    /** The owner's notification settings; {@link UnsupportedOperationException} where notifications are not wired. */
    default Views.NotificationsPage notifications(String owner) throws Exception {
        throw new UnsupportedOperationException("notifications are not available here");
    }

    /**
     * Sets the owner's notification target as {@code actor} asked (an audit entry); a bad value is an
     * {@link IllegalArgumentException} whose message the page shows.
     */
    default Views.NotificationTarget saveNotifications(String owner, String actor, Views.NotificationForm form)
            throws Exception {
        throw new UnsupportedOperationException("notifications are not available here");
    }

    /** Removes the owner's notification target; false when there was none. */
    default boolean removeNotifications(String owner, String actor) throws Exception {
        throw new UnsupportedOperationException("notifications are not available here");
    }
}
