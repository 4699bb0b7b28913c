package dev.driftless.status;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.HttpException;

/**
 * What GitHub answered, as far as the outbox's policy needs it: status code, headers (looked up without
 * regard to case) and GitHub's error {@code message}. Made from github-api's {@link HttpException}
 * (every refusal, since the library's rate-limit handlers are set to fail) or from the headers the
 * {@link AnswerRecordingConnector} saw on a success.
 */
record GitHubAnswer(int status, Map<String, List<String>> headers, String message) {

    GitHubAnswer {
        headers = headers == null ? Map.of() : headers;
        message = message == null ? "" : message;
    }

    /**
     * The answer inside a failed github-api call, or empty when no answer came (refused connection,
     * timeout, DNS): github-api reports those as an {@code HttpException} with code -1 or a plain IOException.
     */
    static Optional<GitHubAnswer> of(IOException e) {
        if (e instanceof HttpException http && http.getResponseCode() >= 100) {
            return Optional.of(new GitHubAnswer(http.getResponseCode(), http.getResponseHeaderFields(), messageOf(http.getMessage())));
        }
        if (e instanceof GHFileNotFoundException notFound) { // github-api's type for a 404
            return Optional.of(new GitHubAnswer(404, notFound.getResponseHeaderFields(), messageOf(notFound.getMessage())));
        }
        return Optional.empty();
    }

    /** Why no answer came, for the outbox's last_error. */
    static String networkError(IOException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "network error: " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }

    boolean successful() {
        return status >= 200 && status < 300;
    }

    Optional<String> header(String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return Optional.ofNullable(entry.getValue().get(0));
            }
        }
        return Optional.empty();
    }

    /** {@code Retry-After} in seconds (GitHub never sends the HTTP-date form). */
    Optional<Duration> retryAfter() {
        return header("Retry-After").flatMap(v -> parseLong(v).stream().boxed().findFirst())
                .filter(s -> s >= 0).map(Duration::ofSeconds);
    }

    OptionalLong rateLimitRemaining() {
        return header("X-RateLimit-Remaining").map(GitHubAnswer::parseLong).orElse(OptionalLong.empty());
    }

    Optional<Instant> rateLimitReset() {
        return header("X-RateLimit-Reset").flatMap(v -> parseLong(v).stream().boxed().findFirst()).map(Instant::ofEpochSecond);
    }

    /**
     * GitHub's {@code message} from the text github-api puts in its exception (the JSON body, sometimes
     * after the URL), else the text itself; cut short for the outbox's last_error.
     */
    static String messageOf(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        String message = text.trim();
        int brace = message.indexOf('{');
        if (brace >= 0) {
            try {
                Object value = new JsonObject(message.substring(brace)).getValue("message");
                message = value instanceof String s ? s : "";
            } catch (DecodeException | ClassCastException e) {
                // not JSON: keep the text
            }
        }
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
