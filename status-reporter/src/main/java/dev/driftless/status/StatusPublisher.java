package dev.driftless.status;

import java.util.OptionalLong;

/**
 * Posts one status to GitHub, blocking, and says what happened; never retries or sleeps by itself
 * (the {@link StatusSender} decides). Two implementations, chosen by {@link GitHubConfig#mode()}:
 * commit statuses, or check runs that carry the build log.
 */
public interface StatusPublisher {

    enum Mode { COMMIT_STATUSES, CHECK_RUNS }

    /**
     * @param checkRunId in check-run mode, the id GitHub gave the check run of the same (sha, context),
     *                   to update it rather than create another; empty otherwise
     */
    PublishResult publish(CommitStatus status, OptionalLong checkRunId);

    /** Statuses with the same key share one rate limit (same token): the sender pauses them together. */
    default String rateLimitKey(CommitStatus status) {
        return "github";
    }

    static StatusPublisher create(GitHubConfig config) {
        return GitHubAccess.create(config).publisher();
    }
}
