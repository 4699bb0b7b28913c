package dev.driftless.reconciler.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes audit entries older than the retention ({@code DRIFTLESS_AUDIT_RETENTION}) once at start and then
 * every hour, on its own thread. Several replicas may prune at once: the delete is the same on each.
 */
public final class AuditPruner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditPruner.class);
    public static final Duration PERIOD = Duration.ofHours(1);

    private final AuditLog audit;
    private final Duration retention;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "driftless-audit-prune");
        thread.setDaemon(true);
        return thread;
    });

    public AuditPruner(AuditLog audit, Duration retention) {
        this.audit = audit;
        this.retention = retention;
    }

    public void start(Duration period) {
        timer.scheduleWithFixedDelay(this::pruneOnce, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    void pruneOnce() {
        try {
            audit.prune(retention);
        } catch (Exception e) {
            LOG.warn("event=audit.prune_failed error=\"{}\"", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
