package dev.driftless.builder;

import java.time.Duration;
import java.util.Optional;

/**
 * A function's request time limit, as OpenFaaS users set it: {@code exec_timeout} in its {@code environment}
 * ({@code 30s}, {@code 2m}, {@code 1m30s}, or plain seconds), from 1 s to 15 minutes. stack.yml validation
 * refuses anything else, so the gateway never falls back to its default without the user being told.
 */
public final class ExecTimeout {
    public static final String VARIABLE = "exec_timeout";
    public static final Duration MAX = Duration.ofMinutes(15);

    private ExecTimeout() {
    }

    /** The limit {@code text} sets, or empty when it sets none (blank) or one we do not accept. */
    public static Optional<Duration> parse(String text) {
        return read(text).filter(d -> !d.isZero() && d.compareTo(MAX) <= 0);
    }

    /** Why {@code text} is not accepted, or empty when it is (a blank value sets no limit). */
    static Optional<String> problem(String text) {
        return problem(text, "");
    }

    /** As {@link #problem(String)}, naming where the value came from, e.g. {@code " (from env.yml)"}. */
    static Optional<String> problem(String text, String origin) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String named = "exec_timeout '" + text + "'" + origin;
        Optional<Duration> duration = read(text);
        if (duration.isEmpty()) {
            return Optional.of(named + " is not a duration Driftless reads: whole hours, minutes and "
                    + "seconds such as 30s, 2m or 1m30s (plain numbers are seconds), from 1s to 15m");
        }
        if (duration.get().isZero()) {
            return Optional.of(named + " must be at least 1s");
        }
        if (duration.get().compareTo(MAX) > 0) {
            return Optional.of(named + " is above the 15 minute maximum");
        }
        return Optional.empty();
    }

    private static Optional<Duration> read(String text) {
        return StackDuration.read(text);
    }
}
