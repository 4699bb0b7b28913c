package dev.driftless.status;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** A GitHub answer: status code, headers (case-insensitive) and body. */
record GitHubResponse(int status, HttpHeaders headers, String body) {

    boolean successful() {
        return status >= 200 && status < 300;
    }

    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /** {@code Retry-After} in seconds (GitHub never sends the HTTP-date form). */
    Optional<Duration> retryAfter() {
        return header("Retry-After").flatMap(v -> parseLong(v).stream().boxed().findFirst())
                .filter(s -> s >= 0).map(Duration::ofSeconds);
    }

    OptionalLong rateLimitRemaining() {
        return header("X-RateLimit-Remaining").map(GitHubResponse::parseLong).orElse(OptionalLong.empty());
    }

    Optional<Instant> rateLimitReset() {
        return header("X-RateLimit-Reset").flatMap(v -> parseLong(v).stream().boxed().findFirst()).map(Instant::ofEpochSecond);
    }

    JsonObject json() {
        try {
            return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            return new JsonObject();
        }
    }

    /** GitHub's error {@code message}, cut short, for recording why a row failed. */
    String message() {
        String message = json().getValue("message") instanceof String s ? s : "";
        return message.length() > 200 ? message.substring(0, 200) + "…" : message;
    }

    private static OptionalLong parseLong(String value) {
        try {
            return OptionalLong.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
