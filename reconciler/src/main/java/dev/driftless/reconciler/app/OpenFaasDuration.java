package dev.driftless.reconciler.app;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as OpenFaaS users write them in stack.yml: {@code 30s}, {@code 2m}, {@code 1h30m}, or plain seconds. */
final class OpenFaasDuration {
    private static final Pattern UNITS = Pattern.compile("(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,7})s)?");

    private OpenFaasDuration() {
    }

    /** A positive duration, or empty for anything else (blank, zero, malformed). */
    static Optional<Duration> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        Duration duration;
        if (value.matches("\\d{1,7}")) {
            duration = Duration.ofSeconds(Long.parseLong(value));
        } else {
            Matcher m = UNITS.matcher(value);
            if (!m.matches()) {
                return Optional.empty();
            }
            duration = Duration.ofHours(number(m.group(1))).plusMinutes(number(m.group(2))).plusSeconds(number(m.group(3)));
        }
        return duration.isZero() ? Optional.empty() : Optional.of(duration);
    }

    private static long number(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }
}
