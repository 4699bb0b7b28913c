package dev.driftless.runtime;

/**
 * Whether this replica is the one that runs the singletons (the periodic resync). Everything else runs on
 * every replica: jobs and status deliveries are claimed from the shared store, and every replica's gateway
 * restores its routes. Asked from any thread; answers without blocking.
 */
public interface Leadership {

    boolean isLeader();

    /** One machine, one replica (the local runtime): always the leader. */
    static Leadership always() {
        return () -> true;
    }
}
