package dev.driftless.reconciler.reconcile;

import java.time.Instant;
import java.util.Optional;

/**
 * The status of one function as Flux-style conditions: Ready (True/False/Unknown) with a reason and
 * message, Reconciling while a pass works on it, Stalled when only a change of its input can help
 * (a failing test is not retried until the handler changes).
 *
 * @param stalledInput the build input (cache key) that stalled, so the same input is not retried
 */
public record FunctionCondition(
        String owner,
        String function,
        String repository,
        Ready ready,
        Reason reason,
        String message,
        boolean reconciling,
        boolean stalled,
        Optional<String> stalledInput,
        Optional<Integer> currentRelease,
        Instant updatedAt) {

    public enum Ready { True, False, Unknown }

    public FunctionCondition {
        message = ReleaseHistory.truncate(message, 1000);
    }
}
