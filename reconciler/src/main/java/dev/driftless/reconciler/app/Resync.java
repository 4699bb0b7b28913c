package dev.driftless.reconciler.app;

import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobReason;
import dev.driftless.reconciler.queue.JobRequest;
import dev.driftless.reconciler.reconcile.Transactions;
import dev.driftless.runtime.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The periodic resync: every interval (with ±10 % jitter, so replicas and restarts spread out) it
 * queues a reconcile of every active, unsuspended repository. That catches pushes whose webhook was
 * lost (GitHub never redelivers) and puts back what someone changed by hand. Queued jobs coalesce per
 * repository and branch, so a resync next to a push costs one pass. With several replicas only the leader
 * queues (see {@link Leadership}); the others keep their timer and skip its ticks, so whichever becomes
 * leader resyncs within one interval.
 *
 * <p>The first pass runs {@link #STARTUP_PASS} after start rather than one interval later: a push the built-in git
 * endpoint took (the ref moved) but whose recording a crash cut off has nothing queued and no webhook to come, and
 * pushing again finds "Everything up-to-date"; this pass deploys it within seconds of the restart. A reconcile that
 * finds nothing to do changes nothing.
 */
final class Resync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resync.class);

    /** How long after start the first pass runs (or one interval, if shorter): once jobs left over have been resumed. */
    static final Duration STARTUP_PASS = Duration.ofSeconds(5);

    private final Transactions store;
    private final JobQueue queue;
    private final Optional<String> trackedBranch;
    private final Duration interval;
    private final Leadership leadership;
    private final Runnable wake;
    private final TrackedRepositories repositories = new TrackedRepositories();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "driftless-resync");
        thread.setDaemon(true);
        return thread;
    });

    Resync(Transactions store, JobQueue queue, Optional<String> trackedBranch, Duration interval, Leadership leadership,
           Runnable wake) {
        this.store = store;
        this.queue = queue;
        this.trackedBranch = trackedBranch;
        this.interval = interval;
        this.leadership = leadership;
        this.wake = wake;
    }

    void start() {
        schedule(Math.min(interval.toMillis(), STARTUP_PASS.toMillis()));
    }

    private void schedule() {
        long base = interval.toMillis();
        long jitter = (long) (base * 0.1);
        schedule(base + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1)));
    }

    private void schedule(long delay) {
        timer.schedule(() -> {
            try {
                tick();
            } catch (Exception e) {
                LOG.warn("event=resync_failed error=\"{}\"", e.toString());
            } finally {
                if (!timer.isShutdown()) {
                    schedule();
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** One tick of the timer: a pass on the leader, nothing elsewhere; returns how many reconciles it queued. */
    int tick() throws Exception {
        if (!leadership.isLeader()) {
            LOG.debug("event=resync.skipped reason=not_leader");
            return 0;
        }
        int queued = runOnce();
        LOG.info("event=resync queued={}", queued);
        return queued;
    }

    /** Queues one reconcile per active, unsuspended repository; returns how many. */
    private int runOnce() throws Exception {
        List<TrackedRepositories.Tracked> due = store.inTransaction(repositories::resyncable);
        for (TrackedRepositories.Tracked repository : due) {
            String branch = trackedBranch.or(repository::defaultBranch).orElse("main");
            queue.enqueue(JobRequest.reconcile(repository.owner(), repository.name(), branch, Optional.empty(),
                    JobReason.RESYNC));
        }
        if (!due.isEmpty()) {
            wake.run();
        }
        return due.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
