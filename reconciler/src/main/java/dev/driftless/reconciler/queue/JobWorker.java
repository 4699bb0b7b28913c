package dev.driftless.reconciler.queue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs jobs: a fixed, named pool of {@code workers} threads ({@code driftless-job-N}), each claiming a job,
 * handing it to the {@link JobHandler} while a scheduler renews its lease, and recording the result.
 * Idle workers poll every {@code pollInterval}, or at once after {@link #wake()}. {@link #close()} stops
 * claiming and waits for running jobs to finish (drain); a job still running after the grace period is
 * interrupted and, its lease expiring, claimed again by the next worker that looks.
 */
public final class JobWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);

    private final JobQueue queue;
    private final JobHandler handler;
    private final java.util.Set<JobKind> kinds;
    private final JobListener listener;
    private final int workers;
    private final Duration pollInterval;
    private final Duration drainGrace;
    private final String instance;
    private final ExecutorService pool;
    private final ScheduledExecutorService leases;
    private final Semaphore wakeups = new Semaphore(0);
    private volatile boolean stopping;

    public JobWorker(JobQueue queue, JobHandler handler, JobListener listener, int workers,
                     Duration pollInterval, Duration drainGrace) {
        this(queue, handler, java.util.EnumSet.allOf(JobKind.class), listener, workers, pollInterval, drainGrace);
    }

    /** A worker that claims only jobs of {@code kinds}. */
    public JobWorker(JobQueue queue, JobHandler handler, java.util.Set<JobKind> kinds, JobListener listener, int workers,
                     Duration pollInterval, Duration drainGrace) {
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0");
        }
        this.queue = queue;
        this.handler = handler;
        this.kinds = java.util.Set.copyOf(kinds);
        this.listener = listener;
        this.workers = workers;
        this.pollInterval = pollInterval;
        this.drainGrace = drainGrace;
        // Unique per process start, so a restarted daemon never mistakes an old lease for its own.
        this.instance = ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.pool = workers == 0 ? null : Executors.newFixedThreadPool(workers, named("driftless-job-"));
        this.leases = Executors.newSingleThreadScheduledExecutor(named("driftless-job-lease-"));
    }

    public void start() {
        for (int i = 0; i < workers; i++) {
            String workerId = instance + "/" + i;
            pool.execute(() -> loop(workerId));
        }
        LOG.info("event=jobs.started workers={} instance={}", workers, instance);
    }

    /** Tells idle workers that a job was just queued, so they look now instead of at the next poll. */
    public void wake() {
        if (workers > 0 && wakeups.availablePermits() < workers) {
            wakeups.release();
        }
    }

    private void loop(String workerId) {
        while (!stopping) {
            try {
                var job = queue.claim(workerId, kinds);
                if (job.isPresent()) {
                    run(job.get());
                } else {
                    wakeups.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("event=jobs.claim_failed worker={} error=\"{}\"", workerId, e.toString());
                sleepQuietly(pollInterval);
            }
        }
    }

    private void run(Job job) throws InterruptedException {
        long started = System.nanoTime();
        long renewEvery = Math.max(250, queue.lease().toMillis() / 3);
        ScheduledFuture<?> renewal = leases.scheduleAtFixedRate(() -> renew(job), renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        LOG.info("event=job.started job={} kind={} key={} head={} attempt={}",
                job.id(), job.kind().dbName(), job.key(), job.headSha().orElse("-"), job.attempts());
        JobResult result;
        try {
            result = handler.handle(job);
            if (result == null) {
                result = JobResult.failed("handler returned no result");
            }
        } catch (InterruptedException e) {
            renewal.cancel(false);
            LOG.info("event=job.interrupted job={} (it will be claimed again when its lease expires)", job.id());
            throw e;
        } catch (Exception e) {
            result = JobResult.retryLater(e.toString());
        } finally {
            renewal.cancel(false);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        try {
            boolean recorded = queue.complete(job, result);
            LOG.info("event=job.finished job={} result={} ms={} recorded={}{}", job.id(), result.label(), took.toMillis(),
                    recorded, result instanceof JobResult.Succeeded ? "" : " reason=\"" + reason(result) + "\"");
        } catch (Exception e) {
            LOG.warn("event=job.complete_failed job={} error=\"{}\" (it will run again when its lease expires)", job.id(), e);
        }
        listener.finished(job, result, took);
    }

    private void renew(Job job) {
        try {
            if (!queue.renew(job)) {
                LOG.warn("event=job.lease_lost job={} worker={}", job.id(), job.leaseOwner());
            }
        } catch (Exception e) {
            LOG.warn("event=job.lease_renew_failed job={} error=\"{}\"", job.id(), e.toString());
        }
    }

    private static String reason(JobResult result) {
        if (result instanceof JobResult.RetryLater r) {
            return r.reason();
        }
        if (result instanceof JobResult.HandBack h) {
            return h.reason();
        }
        return result instanceof JobResult.Failed f ? f.reason() : "";
    }

    @Override
    public void close() {
        stopping = true;
        wakeups.release(Math.max(1, workers));
        if (pool != null) {
            pool.shutdown();
            try {
                if (!pool.awaitTermination(drainGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("event=jobs.drain_timeout grace_ms={} (interrupting running jobs)", drainGrace.toMillis());
                    pool.shutdownNow();
                    pool.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        leases.shutdownNow();
        LOG.info("event=jobs.stopped");
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + n.incrementAndGet());
            thread.setDaemon(false);
            return thread;
        };
    }
}
