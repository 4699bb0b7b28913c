package dev.driftless.builder;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as OpenFaaS users write them in stack.yml ({@code exec_timeout}, {@code com.openfaas.scale.zero-duration}):
 * whole hours, minutes and seconds such as {@code 30s}, {@code 2m}, {@code 1h30m}, or plain seconds.
 */
public final class StackDuration {
    private static final Pattern UNITS = Pattern.compile("(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?");

    private StackDuration() {
    }

    /** The duration {@code text} names (zero included), or empty when it is blank or not such a duration. */
    public static Optional<Duration> read(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.matches("\\d{1,6}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        Matcher m = UNITS.matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofHours(number(m.group(1))).plusMinutes(number(m.group(2)))
                .plusSeconds(number(m.group(3))));
    }

    /** As {@link #read}, but only a duration longer than zero. */
    public static Optional<Duration> positive(String text) {
        return read(text).filter(d -> !d.isZero());
    }

    private static long number(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }
}
