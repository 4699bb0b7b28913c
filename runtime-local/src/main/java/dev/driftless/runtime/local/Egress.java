package dev.driftless.runtime.local;

/** Whether a sandboxed function may open connections to the outside world (its own network namespace stays). */
public enum Egress {
    /** Outbound connections leave through pasta's user-mode network, as the daemon's own would (no host loopback). */
    ALLOW,
    /** The namespace has loopback only: the gateway still reaches the function, the function reaches nothing. */
    DENY
}
