package dev.driftless.reconciler;

/**
 * A part wired into the daemon at start: it registers job handlers, mounts routes, registers metrics.
 * {@code driftless serve} finds modules with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/dev.driftless.reconciler.DaemonModule} entry), in ascending {@link #order()}.
 * Called on the starting thread before the HTTP server listens and before job workers claim anything.
 */
public interface DaemonModule {
    void configure(DaemonContext context) throws Exception;

    /** Lower runs first; a later module may replace what an earlier one registered. */
    default int order() {
        return 0;
    }
}
