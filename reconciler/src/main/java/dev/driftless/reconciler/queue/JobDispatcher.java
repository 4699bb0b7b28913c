package dev.driftless.reconciler.queue;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** Hands each job to the handler registered for its kind. */
public final class JobDispatcher implements JobHandler {
    private final Map<JobKind, JobHandler> handlers = new EnumMap<>(JobKind.class);

    /** Registers the handler of a kind; one handler per kind. */
    public synchronized void register(JobKind kind, JobHandler handler) {
        if (handlers.putIfAbsent(kind, handler) != null) {
            throw new IllegalStateException("a handler for " + kind.dbName() + " jobs is already registered");
        }
    }

    /** Replaces the handler of a kind (a later module overriding an earlier one, e.g. in a test daemon). */
    public synchronized void replace(JobKind kind, JobHandler handler) {
        handlers.put(kind, handler);
    }

    /** The kinds this daemon can run; jobs of other kinds stay queued for a daemon that can. */
    public synchronized Set<JobKind> kinds() {
        return Set.copyOf(handlers.keySet());
    }

    @Override
    public JobResult handle(Job job) throws Exception {
        JobHandler handler;
        synchronized (this) {
            handler = handlers.get(job.kind());
        }
        if (handler == null) {
            return JobResult.retryLater("no handler for " + job.kind().dbName() + " jobs in this daemon");
        }
        return handler.handle(job);
    }
}
