package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * What both publishers share: getting the token, one retry with a fresh token after a 401, and turning
 * GitHub's answer into a {@link PublishResult} following GitHub's documented rate-limit rules
 * (docs.github.com, "Best practices for using the REST API").
 */
abstract class GitHubPublisher implements StatusPublisher {
    /** GitHub: on a secondary limit without Retry-After, wait at least one minute. */
    static final Duration SECONDARY_LIMIT_WAIT = Duration.ofMinutes(1);

    private final GitHubHttp http;
    private final AccessTokens tokens;
    private final Clock clock;

    GitHubPublisher(GitHubHttp http, AccessTokens tokens, Clock clock) {
        this.http = http;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** The call for this status: method, path, JSON body. */
    record Call(String method, String path, JsonObject body) {}

    abstract Call call(CommitStatus status, OptionalLong checkRunId);

    /** What to keep from a 2xx answer (the check run id, in check-run mode). */
    abstract OptionalLong idFrom(GitHubResponse response, OptionalLong checkRunId);

    @Override
    public String rateLimitKey(CommitStatus status) {
        return tokens.rateLimitKey(status.installationId());
    }

    @Override
    public final PublishResult publish(CommitStatus status, OptionalLong checkRunId) {
        Call call = call(status, checkRunId);
        try {
            GitHubResponse response = http.send(call.method(), call.path(), tokens.token(status.installationId()), call.body());
            if (response.status() == 401 && tokens.invalidate(status.installationId())) {
                // The cached installation token may have been revoked; one more try with a fresh one.
                response = http.send(call.method(), call.path(), tokens.token(status.installationId()), call.body());
                if (response.status() == 401) {
                    return new PublishResult.Refused(401, "401 unauthorized even with a fresh installation token: " + response.message());
                }
            }
            return classify(response, checkRunId);
        } catch (GitHubCallException e) {
            // The token exchange itself failed: same rules (a 404 means the installation is gone).
            PublishResult result = classify(e.response(), checkRunId);
            return result instanceof PublishResult.Delivered
                    ? new PublishResult.Retry(e.response().status(), e.getMessage(), null)
                    : relabel(result, "installation token: ");
        } catch (IOException e) {
            return new PublishResult.Retry(0, "network error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), null);
        } catch (IllegalArgumentException e) {
            return new PublishResult.Refused(0, e.getMessage());
        }
    }

    private PublishResult classify(GitHubResponse response, OptionalLong checkRunId) {
        int code = response.status();
        Instant now = clock.instant();
        if (response.successful()) {
            Instant exhaustedUntil = response.rateLimitRemaining().orElse(-1) == 0
                    ? response.rateLimitReset().filter(now::isBefore).orElse(null) : null;
            return new PublishResult.Delivered(code, idFrom(response, checkRunId), exhaustedUntil);
        }
        String why = "HTTP " + code + (response.message().isEmpty() ? "" : ": " + response.message());
        if (code == 403 || code == 429) {
            if (response.rateLimitRemaining().orElse(-1) == 0 && response.rateLimitReset().isPresent()) {
                Instant reset = response.rateLimitReset().get();
                return new PublishResult.RateLimited(code, "primary rate limit exhausted, resets at " + reset,
                        reset.isAfter(now) ? reset : now);
            }
            if (response.retryAfter().isPresent()) {
                return new PublishResult.RateLimited(code, "secondary rate limit, " + why, now.plus(response.retryAfter().get()));
            }
            if (code == 429 || response.message().toLowerCase().contains("rate limit")) {
                return new PublishResult.RateLimited(code, "secondary rate limit, " + why, now.plus(SECONDARY_LIMIT_WAIT));
            }
            return new PublishResult.Refused(code, why); // e.g. "Resource not accessible by integration"
        }
        if (code >= 500 || code == 408) {
            return new PublishResult.Retry(code, why, response.retryAfter().map(now::plus).orElse(null));
        }
        return new PublishResult.Refused(code, why); // 401 (PAT), 404, 410, 422, redirects: asking again changes nothing
    }

    private static PublishResult relabel(PublishResult result, String prefix) {
        if (result instanceof PublishResult.Retry r) {
            return new PublishResult.Retry(r.httpStatus(), prefix + r.reason(), r.notBefore());
        }
        if (result instanceof PublishResult.RateLimited r) {
            return new PublishResult.RateLimited(r.httpStatus(), prefix + r.reason(), r.until());
        }
        if (result instanceof PublishResult.Refused r) {
            return new PublishResult.Refused(r.httpStatus(), prefix + r.reason());
        }
        return result;
    }

    static String repoPath(CommitStatus status) {
        return "/repos/" + status.owner() + "/" + status.repo();
    }
}
