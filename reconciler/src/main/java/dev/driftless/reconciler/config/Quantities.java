package dev.driftless.reconciler.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human forms settings use: durations ({@code 30s}, {@code 5m}, {@code 1h30m}) and sizes ({@code 25MiB}). */
final class Quantities {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

    private Quantities() { }

    /** {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 250ms}, {@code 2d}; a bare number is rejected (which unit?). */
    static Duration duration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION_PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalArgumentException("not a duration (e.g. 30s, 5m, 1h30m): '" + text + "'");
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw new IllegalArgumentException("not a duration (e.g. 30s, 5m, 1h30m): '" + text + "'");
        }
        return total;
    }

    /** Bytes: {@code 1048576}, {@code 512KiB}, {@code 25MiB}, {@code 1GB}; KB/MB/GB are decimal, KiB/MiB/GiB binary. */
    static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size (e.g. 25MiB, 512KiB, 1048576): '" + text + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "b" -> 1L;
            case "k", "kib" -> 1L << 10;
            case "kb" -> 1_000L;
            case "m", "mib" -> 1L << 20;
            case "mb" -> 1_000_000L;
            case "g", "gib" -> 1L << 30;
            default -> 1_000_000_000L;
        };
        try {
            return Math.multiplyExact(n, factor);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
    }
}
