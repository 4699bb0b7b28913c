package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.kohsuke.github.GHEventPayload;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueComment;
import org.kohsuke.github.GitHub;

/**
 * The one comment Driftless keeps on a pull request, through github-api: created once
 * ({@code POST /repos/{o}/{r}/issues/{n}/comments}), then edited in place by id
 * ({@code PATCH /repos/{o}/{r}/issues/comments/{id}}). Blocking, never retries by itself: the caller's outbox
 * decides when to call again, with the same rules as statuses ({@link PublishResult}).
 *
 * <p>Never doubled: without a known id it first looks for a comment carrying {@code marker} (one a crash left
 * unrecorded between GitHub's answer and our commit) and edits that one instead of adding another.
 */
public final class PullRequestComments {
    private final GitHubClients clients;
    private final Clock clock;

    PullRequestComments(GitHubClients clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    /** One comment to write: {@code body} must contain {@code marker} (an HTML comment GitHub does not show). */
    public record Comment(String owner, String repo, Long installationId, int number, OptionalLong commentId,
                          String marker, String body) {
        public Comment {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(repo, "repo");
            Objects.requireNonNull(commentId, "commentId");
            Objects.requireNonNull(marker, "marker");
            if (number <= 0) {
                throw new IllegalArgumentException("a pull request number is positive");
            }
            if (body == null || !body.contains(marker)) {
                throw new IllegalArgumentException("the comment body must carry its marker");
            }
        }
    }

    /**
     * Creates or edits the comment. {@link PublishResult.Delivered#checkRunId()} carries the comment's id
     * (the same record as statuses, whose id is the check run's).
     */
    public PublishResult write(Comment comment) {
        GitHub client;
        try {
            client = clients.client(comment.installationId());
        } catch (IOException e) {
            return GitHubAnswer.of(e).map(a -> GitHubPublisher.relabel(GitHubPublisher.classify(a, clock.instant()),
                            "installation token: "))
                    .orElseGet(() -> new PublishResult.Retry(0, "installation token: " + GitHubAnswer.networkError(e), null));
        } catch (IllegalArgumentException e) {
            return new PublishResult.Refused(0, e.getMessage());
        }
        try {
            return attempt(client, comment);
        } catch (IOException e) {
            Optional<GitHubAnswer> answer = GitHubAnswer.of(e);
            if (answer.isPresent() && answer.get().status() == 401 && clients.invalidate(comment.installationId())) {
                try {
                    return attempt(clients.client(comment.installationId()), comment);
                } catch (IOException again) {
                    return GitHubAnswer.of(again).map(a -> GitHubPublisher.classify(a, clock.instant()))
                            .orElseGet(() -> new PublishResult.Retry(0, GitHubAnswer.networkError(again), null));
                }
            }
            return answer.map(a -> GitHubPublisher.classify(a, clock.instant()))
                    .orElseGet(() -> new PublishResult.Retry(0, GitHubAnswer.networkError(e), null));
        }
    }

    private PublishResult attempt(GitHub client, Comment comment) throws IOException {
        long id;
        if (comment.commentId().isPresent() && edit(client, comment, comment.commentId().getAsLong())) {
            id = comment.commentId().getAsLong();
        } else {
            GHIssue issue = issue(client, comment);
            OptionalLong left = OptionalLong.empty();
            for (GHIssueComment existing : issue.listComments().toList()) {
                if (existing.getBody() != null && existing.getBody().contains(comment.marker())) {
                    left = OptionalLong.of(existing.getId());
                    break;
                }
            }
            if (left.isPresent() && edit(client, comment, left.getAsLong())) {
                id = left.getAsLong();
            } else {
                id = issue.comment(comment.body()).getId();
            }
        }
        GitHubAnswer answer = clients.lastAnswer();
        java.time.Instant now = clock.instant();
        java.time.Instant exhaustedUntil = answer != null && answer.rateLimitRemaining().orElse(-1) == 0
                ? answer.rateLimitReset().filter(now::isBefore).orElse(null) : null;
        return new PublishResult.Delivered(answer == null ? 200 : answer.status(), OptionalLong.of(id), exhaustedUntil);
    }

    /** Edits comment {@code id}; false when GitHub no longer has it (someone deleted it: a new one is written). */
    private static boolean edit(GitHub client, Comment comment, long id) throws IOException {
        try {
            comment(client, comment, id).update(comment.body());
            return true;
        } catch (IOException e) {
            if (GitHubAnswer.of(e).map(a -> a.status() == 404).orElse(false)) {
                return false;
            }
            throw e;
        }
    }

    /*
     * As GitHubClients binds repositories: the issue and comment objects are read from a payload made of what
     * we know (owner, name, number, id), through github-api's own reader, instead of spending a GET on each.
     */

    private static JsonObject repository(Comment comment) {
        return new JsonObject().put("name", comment.repo()).put("full_name", comment.owner() + "/" + comment.repo())
                .put("owner", new JsonObject().put("login", comment.owner()));
    }

    private static GHIssue issue(GitHub client, Comment comment) throws IOException {
        JsonObject payload = new JsonObject().put("action", "opened").put("repository", repository(comment))
                .put("issue", new JsonObject().put("number", comment.number()));
        return client.parseEventPayload(new StringReader(payload.encode()), GHEventPayload.Issue.class).getIssue();
    }

    private static GHIssueComment comment(GitHub client, Comment comment, long id) throws IOException {
        JsonObject payload = new JsonObject().put("action", "edited").put("repository", repository(comment))
                .put("issue", new JsonObject().put("number", comment.number()))
                .put("comment", new JsonObject().put("id", id));
        return client.parseEventPayload(new StringReader(payload.encode()), GHEventPayload.IssueComment.class).getComment();
    }
}
