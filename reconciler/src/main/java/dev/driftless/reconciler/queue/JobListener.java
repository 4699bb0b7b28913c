package dev.driftless.reconciler.queue;

import java.time.Duration;

/** Hears how each job run ended, for metrics. */
@FunctionalInterface
public interface JobListener {
    void finished(Job job, JobResult result, Duration duration);

    JobListener NONE = (job, result, duration) -> { };
}
