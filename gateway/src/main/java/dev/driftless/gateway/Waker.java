package dev.driftless.gateway;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Starts a function that was scaled to zero when a request arrives for it. The gateway holds the request
 * (body paused) until the returned stage completes, then routes it as usual; concurrent first requests
 * share one start, which is the implementation's job.
 */
@FunctionalInterface
public interface Waker {

    /**
     * Empty when {@code address} is not asleep (the request then gets 404). Otherwise a stage that
     * completes when the function serves again, or completes exceptionally with the reason it did not start.
     * Must not block: the gateway calls it on an event loop.
     */
    Optional<CompletionStage<Void>> wake(FunctionAddress address);

    /** Nothing ever sleeps. */
    static Waker none() {
        return address -> Optional.empty();
    }
}
