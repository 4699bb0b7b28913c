package dev.driftless.reconciler.queue;

/**
 * Does the work of claimed jobs. Called on a job worker thread (never an event loop), with the job's
 * lease renewed in the background while it runs. An exception counts as {@link JobResult.RetryLater};
 * {@link InterruptedException} means the daemon is stopping and the job is retried by whoever claims it next.
 */
@FunctionalInterface
public interface JobHandler {
    JobResult handle(Job job) throws Exception;
}
