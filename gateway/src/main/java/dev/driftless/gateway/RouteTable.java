package dev.driftless.gateway;

import java.time.Duration;
import java.util.Optional;

/**
 * Which backend serves each function. Runtimes write it (a rollout switches a route atomically,
 * then waits for the old backend to drain); the gateway reads it for every request.
 */
public interface RouteTable {
    Optional<Backend> lookup(FunctionAddress address);

    /** Routes new requests for {@code address} to {@code backend}; returns the backend it replaced, if any. */
    Optional<Backend> route(FunctionAddress address, Backend backend);

    /** Stops routing {@code address}; new requests get 404. Returns the removed backend, if any. */
    Optional<Backend> unroute(FunctionAddress address);

    /**
     * Waits until no request is in flight to {@code backend}, at most {@code timeout}.
     * Returns true if it drained, false on time-out.
     */
    boolean awaitDrained(Backend backend, Duration timeout) throws InterruptedException;
}
