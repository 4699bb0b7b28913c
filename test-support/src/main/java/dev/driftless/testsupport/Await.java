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
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(10);
        }
    }
}
