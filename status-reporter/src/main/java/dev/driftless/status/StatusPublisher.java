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

    /**
     * Asked before sending a status again whose previous attempt's answer was never recorded (its sender was
     * killed, or lost the database, between GitHub's answer and the record): {@code Delivered} when GitHub already
     * shows this very status (state, description, target) as the newest of its context on its commit, so it is not
     * posted twice; empty when it is not there (send it); {@code Retry} or {@code RateLimited} when GitHub could
     * not be asked (ask again later rather than post blindly). A publisher that cannot tell answers empty, which
     * makes its delivery at least once.
     */
    default java.util.Optional<PublishResult> alreadyPublished(CommitStatus status, OptionalLong checkRunId) {
        return java.util.Optional.empty();
    }

    /** Statuses with the same key share one rate limit (same token): the sender pauses them together. */
    default String rateLimitKey(CommitStatus status) {
        return "github";
    }

    static StatusPublisher create(GitHubConfig config) {
        return GitHubAccess.create(config).publisher();
    }
}
