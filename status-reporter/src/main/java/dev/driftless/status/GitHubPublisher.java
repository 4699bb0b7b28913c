package dev.driftless.status;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;

/**
 * What both publishers share: getting the token, one retry with a fresh token after a 401, and turning
 * GitHub's answer (github-api's {@code HttpException}: code and headers) into a {@link PublishResult}
 * following GitHub's documented rate-limit rules (docs.github.com, "Best practices for using the REST API").
 */
abstract class GitHubPublisher implements StatusPublisher {
    /** GitHub: on a secondary limit without Retry-After, wait at least one minute. */
    static final Duration SECONDARY_LIMIT_WAIT = Duration.ofMinutes(1);

    private final GitHubClients clients;
    private final Clock clock;

    GitHubPublisher(GitHubClients clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    /** Makes the one github-api call for this status; returns the check run id to keep (check-run mode). */
    abstract OptionalLong send(GHRepository repository, CommitStatus status, OptionalLong checkRunId) throws IOException;

    /**
     * Whether GitHub already shows {@code status} as the newest of its context on its commit; one or more GET
     * requests. Publishers that cannot tell return null (the status is then sent again: at least once).
     */
    abstract Boolean shownOnGitHub(GHRepository repository, CommitStatus status, OptionalLong checkRunId) throws IOException;

    /** github-api's paging wraps the answer's {@code HttpException} in an unchecked {@code GHException}. */
    private Boolean shownOnGitHubUnwrapped(GHRepository repository, CommitStatus status, OptionalLong checkRunId) throws IOException {
        try {
            return shownOnGitHub(repository, status, checkRunId);
        } catch (org.kohsuke.github.GHException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    @Override
    public final Optional<PublishResult> alreadyPublished(CommitStatus status, OptionalLong checkRunId) {
        try {
            GitHub client = clients.client(status.installationId());
            Boolean shown = shownOnGitHubUnwrapped(GitHubClients.repository(client, status.owner(), status.repo()), status, checkRunId);
            if (shown == null || !shown) {
                return Optional.empty();
            }
            GitHubAnswer answer = clients.lastAnswer();
            return Optional.of(new PublishResult.Delivered(answer == null ? 200 : answer.status(), checkRunId, null));
        } catch (IOException e) {
            // Not known either way: a 401 or a 404 here is what the POST would get too, so the same rules apply.
            return Optional.of(GitHubAnswer.of(e).map(a -> relabel(classify(a), "looking for an earlier attempt: "))
                    .orElseGet(() -> new PublishResult.Retry(0, "looking for an earlier attempt: " + GitHubAnswer.networkError(e), null)));
        } catch (IllegalArgumentException e) {
            return Optional.of(new PublishResult.Refused(0, e.getMessage()));
        }
    }

    @Override
    public String rateLimitKey(CommitStatus status) {
        return clients.rateLimitKey(status.installationId());
    }

    @Override
    public final PublishResult publish(CommitStatus status, OptionalLong checkRunId) {
        GitHub client;
        try {
            client = clients.client(status.installationId());
        } catch (IOException e) {
            // The token exchange itself failed: same rules (a 404 means the installation is gone).
            return GitHubAnswer.of(e).map(answer -> relabel(classify(answer), "installation token: "))
                    .orElseGet(() -> new PublishResult.Retry(0, "installation token: " + GitHubAnswer.networkError(e), null));
        } catch (IllegalArgumentException e) {
            return new PublishResult.Refused(0, e.getMessage());
        }
        try {
            return attempt(client, status, checkRunId);
        } catch (IOException e) {
            Optional<GitHubAnswer> answer = GitHubAnswer.of(e);
            if (answer.isPresent() && answer.get().status() == 401 && clients.invalidate(status.installationId())) {
                // The cached installation token may have been revoked; one more try with a fresh one.
                try {
                    return attempt(clients.client(status.installationId()), status, checkRunId);
                } catch (IOException again) {
                    Optional<GitHubAnswer> second = GitHubAnswer.of(again);
                    if (second.isPresent() && second.get().status() == 401) {
                        return new PublishResult.Refused(401, "401 unauthorized even with a fresh installation token: "
                                + second.get().message());
                    }
                    return second.map(this::classify)
                            .orElseGet(() -> new PublishResult.Retry(0, GitHubAnswer.networkError(again), null));
                }
            }
            return answer.map(this::classify).orElseGet(() -> new PublishResult.Retry(0, GitHubAnswer.networkError(e), null));
        }
    }

    private PublishResult attempt(GitHub client, CommitStatus status, OptionalLong checkRunId) throws IOException {
        GHRepository repository = GitHubClients.repository(client, status.owner(), status.repo());
        OptionalLong id = send(repository, status, checkRunId);
        GitHubAnswer answer = clients.lastAnswer();
        Instant now = clock.instant();
        Instant exhaustedUntil = answer != null && answer.rateLimitRemaining().orElse(-1) == 0
                ? answer.rateLimitReset().filter(now::isBefore).orElse(null) : null;
        return new PublishResult.Delivered(answer == null ? 200 : answer.status(), id, exhaustedUntil);
    }

    private PublishResult classify(GitHubAnswer answer) {
        return classify(answer, clock.instant());
    }

    /** GitHub's answer as the outbox's next step (shared with the PR comments, which follow the same rules). */
    static PublishResult classify(GitHubAnswer answer, Instant now) {
        int code = answer.status();
        if (answer.successful()) {
            // Only a token exchange lands here: a 2xx github-api could not read is worth another try.
            return new PublishResult.Retry(code, "HTTP " + code + " with an unreadable answer", null);
        }
        String why = "HTTP " + code + (answer.message().isEmpty() ? "" : ": " + answer.message());
        if (code == 403 || code == 429) {
            if (answer.rateLimitRemaining().orElse(-1) == 0 && answer.rateLimitReset().isPresent()) {
                Instant reset = answer.rateLimitReset().get();
                return new PublishResult.RateLimited(code, "primary rate limit exhausted, resets at " + reset,
                        reset.isAfter(now) ? reset : now);
            }
            if (answer.retryAfter().isPresent()) {
                return new PublishResult.RateLimited(code, "secondary rate limit, " + why, now.plus(answer.retryAfter().get()));
            }
            if (code == 429 || answer.message().toLowerCase().contains("rate limit")
                    || answer.message().toLowerCase().contains("abuse limit")) {
                return new PublishResult.RateLimited(code, "secondary rate limit, " + why, now.plus(SECONDARY_LIMIT_WAIT));
            }
            return new PublishResult.Refused(code, why); // e.g. "Resource not accessible by integration"
        }
        if (code >= 500 || code == 408) {
            return new PublishResult.Retry(code, why, answer.retryAfter().map(now::plus).orElse(null));
        }
        return new PublishResult.Refused(code, why); // 401 (PAT), 404, 410, 422, redirects: asking again changes nothing
    }

    static PublishResult relabel(PublishResult result, String prefix) {
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
}
