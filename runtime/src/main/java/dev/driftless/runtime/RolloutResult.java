package dev.driftless.runtime;

import java.time.Duration;
import java.util.List;

/**
 * What a {@link FunctionRuntime#deploy} did.
 *
 * @param outcome  unchanged (no write), rolled out, or failed (the previous version keeps serving)
 * @param reason   a machine-readable reason, e.g. {@code RolloutSucceeded}, {@code ProgressDeadlineExceeded},
 *                 {@code CrashLoopBackOff}, {@code HealthCheckTimeout}
 * @param message  a sentence a person can act on
 * @param duration how long the rollout took
 * @param lastLogLines the new instance's last log lines when it failed
 */
public record RolloutResult(Outcome outcome, String reason, String message, Duration duration, List<String> lastLogLines) {
    public enum Outcome { UNCHANGED, ROLLED_OUT, FAILED }

    public RolloutResult {
        lastLogLines = List.copyOf(lastLogLines);
    }

    public static RolloutResult unchanged() {
        return new RolloutResult(Outcome.UNCHANGED, "UpToDate", "already running the desired version", Duration.ZERO, List.of());
    }

    public boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
