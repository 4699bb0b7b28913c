package dev.driftless.status;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * What one attempt to publish a status did, and so what the sender does next: done; retry later
 * (5xx, network); pause every status of the same installation/token until a rate limit resets; or stop
 * for good because GitHub will keep refusing (404, 422, 401 after a token refresh …), with the reason.
 * {@code httpStatus} is 0 when no answer came.
 */
public sealed interface PublishResult {
    int httpStatus();

    /**
     * Done. {@code exhaustedUntil} is set when this answer used the last request of the rate limit
     * ({@code X-RateLimit-Remaining: 0}): the sender pauses the token until then instead of earning a 403.
     */
    record Delivered(int httpStatus, OptionalLong checkRunId, Instant exhaustedUntil) implements PublishResult {}

    /** Transient failure; {@code notBefore} is GitHub's {@code Retry-After} if it sent one, else null. */
    record Retry(int httpStatus, String reason, Instant notBefore) implements PublishResult {}

    record RateLimited(int httpStatus, String reason, Instant until) implements PublishResult {}

    record Refused(int httpStatus, String reason) implements PublishResult {}
}
