package dev.driftless.runtime.local;

import java.time.Duration;

/**
 * Delays between restarts of a crashing function: {@code initial}, doubled per consecutive crash up to
 * {@code max}. An instance that stayed up for {@code resetAfter} counts as healthy, and the count starts again.
 */
record Backoff(Duration initial, Duration max, Duration resetAfter) {
    Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
    }

    /** The delay before restart number {@code attempt} (1 for the first restart after a healthy run). */
    Duration delay(int attempt) {
        Duration delay = initial;
        for (int i = 1; i < attempt && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
