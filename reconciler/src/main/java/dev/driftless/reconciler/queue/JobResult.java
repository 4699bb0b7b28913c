package dev.driftless.reconciler.queue;

import java.time.Duration;
import java.util.Optional;

/** What a {@link JobHandler} reports: done, try again later, give up, or leave it to another replica. */
public sealed interface JobResult {

    /** The job did what it should (including "nothing needed doing"). */
    record Succeeded(String message) implements JobResult { }

    /**
     * A transient fault (registry down, API rate limit): run again after {@code after}, or after the
     * queue's exponential backoff when empty, until the attempts run out.
     */
    record RetryLater(String reason, Optional<Duration> after) implements JobResult { }

    /** Retrying cannot help (the user must change something); the job ends as failed. */
    record Failed(String reason) implements JobResult { }

    /**
     * Not this replica's job (it lacks what the job needs, e.g. a repository on another replica's disk):
     * queued again for another replica, without spending an attempt, within the queue's {@link HandBacks}.
     */
    record HandBack(String reason) implements JobResult { }

    static JobResult succeeded(String message) {
        return new Succeeded(message);
    }

    static JobResult retryLater(String reason) {
        return new RetryLater(reason, Optional.empty());
    }

    static JobResult failed(String reason) {
        return new Failed(reason);
    }

    static JobResult handBack(String reason) {
        return new HandBack(reason);
    }

    default String label() {
        if (this instanceof Succeeded) {
            return "succeeded";
        }
        if (this instanceof HandBack) {
            return "handed_back";
        }
        return this instanceof RetryLater ? "retry" : "failed";
    }
}
