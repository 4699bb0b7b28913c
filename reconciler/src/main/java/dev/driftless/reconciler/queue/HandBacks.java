package dev.driftless.reconciler.queue;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How a job handed back ({@link JobResult.HandBack}: "not me, another replica") waits and how often it may
 * be: a hand-back spends no attempt, waits between half and all of {@code delay} so that the replica that can
 * run it gets a chance to claim it, and after {@code max} hand-backs without a run the job fails.
 */
public record HandBacks(Duration delay, int max) {

    public HandBacks {
        if (delay.isNegative() || delay.isZero() || max < 1) {
            throw new IllegalArgumentException("hand-backs need a positive delay and max >= 1");
        }
    }

    /** About ten minutes of hand-backs at 1-2 s each: long enough for the holder's workers to get free. */
    public static HandBacks standard() {
        return new HandBacks(Duration.ofSeconds(2), 400);
    }

    Duration nextDelay(DoubleSupplier random) {
        long full = delay.toMillis();
        return Duration.ofMillis(full / 2 + (long) (random.getAsDouble() * (full - full / 2)));
    }
}
