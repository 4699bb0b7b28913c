package dev.driftless.runtime.local;

/** Which network a sandboxed function gets. */
public enum FunctionNetwork {
    /** Its own network namespace per instance (pasta): no reach into this machine's loopback. The default. */
    ISOLATED,
    /**
     * The host's network, as without pasta: for measuring what isolation costs and for hosts where pasta cannot
     * run. Logged loudly at start, because tenants can then reach every loopback port.
     */
    HOST
}
