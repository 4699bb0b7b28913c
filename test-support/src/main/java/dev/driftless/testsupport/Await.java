package dev.driftless.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for what other threads do by polling, instead of sleeping a guessed time or asserting durations. */
public final class Await {
    /** Generous: a limit only for a test that is already failing, on a loaded build machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private Await() { }

    /** Polls every 10 ms until {@code condition} holds; fails naming {@code what} after 30 s. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(what, PATIENCE, condition);
    }

    /** As {@link #until(String, BooleanSupplier)}, with more patience for slow things (a daemon process starting). */
    public static void until(String what, Duration patience, BooleanSupplier condition) throws InterruptedException {
        until(what, patience, Duration.ofMillis(10), condition);
    }

    /** As above, asking only every {@code every}: for a condition that costs a request (a function's endpoint). */
    public static void until(String what, Duration patience, Duration every, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + patience.toSeconds() + " s");
            }
            Thread.sleep(every.toMillis());
        }
    }
}
