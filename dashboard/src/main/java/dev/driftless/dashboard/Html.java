package dev.driftless.dashboard;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Small formatting helpers the templates ({@code src/main/jte/}) call. They return text, never HTML:
 * the templates' Html content type escapes every value for the place it lands in.
 */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Html() {
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    /** {@code sha256:} and the first 12 hex digits of an image's digest, or the reference as it is without one. */
    static String digest(String image) {
        int at = image.indexOf("sha256:");
        return at < 0 ? image : image.substring(at, Math.min(image.length(), at + 7 + 12));
    }

    static String shortSha(String commit) {
        return commit.substring(0, Math.min(7, commit.length()));
    }

    /**
     * One path segment of a link, percent-encoded: a name with {@code /}, {@code ?}, {@code #} or a space
     * stays one segment. (HTML escaping, which the template adds on top, is not URL encoding.)
     */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query parameter's value, percent-encoded. */
    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Whether {@code url} is a path on this server ({@code /badge/…}), not a scheme or another host ({@code //…}). */
    static boolean isLocalPath(String url) {
        return url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\");
    }

    /** Milliseconds, rounded: {@code 84 ms}. */
    static String millis(double millis) {
        return Math.round(millis) + " ms";
    }

    /** A period as stack.yml writes it: {@code 30s}, {@code 15m}, {@code 1h30m}. */
    static String period(java.time.Duration period) {
        long seconds = period.toSeconds();
        StringBuilder out = new StringBuilder();
        if (seconds >= 3600) {
            out.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            out.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0 || out.length() == 0) {
            out.append(seconds % 60).append('s');
        }
        return out.toString();
    }

    /** What the browser asks before a rollback (shown by {@code /static/dashboard.js} from {@code data-confirm}). */
    static String rollbackQuestion(String function, int release) {
        return "Roll back " + function + " to release " + release
                + "? Its image is redeployed as a new release, without a rebuild.";
    }
}
