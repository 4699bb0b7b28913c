package dev.driftless.reconciler.queue;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of {@code base * 2^(n-1)},
 * capped at {@code max}; after {@code maxAttempts} the job fails. Jitter spreads retries of many jobs
 * that failed together (a registry outage) instead of retrying them in lockstep.
 */
public record Backoff(Duration base, Duration max, int maxAttempts) {

    public Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max and maxAttempts >= 1");
        }
    }

    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(10), 8);
    }

    /** The delay before attempt {@code attempts + 1}, given a uniform random number in [0, 1). */
    Duration delayAfter(int attempts, DoubleSupplier random) {
        int exponent = Math.max(0, Math.min(attempts - 1, 30));
        long ceiling = Math.min(max.toMillis(), base.toMillis() << exponent);
        long delay = ceiling / 2 + (long) (random.getAsDouble() * (ceiling - ceiling / 2));
        return Duration.ofMillis(delay);
    }
}
