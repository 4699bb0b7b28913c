package dev.driftless.reconciler.queue;

import java.util.Objects;
import java.util.Optional;

/**
 * A job to enqueue. Requests with the same {@link #key()} coalesce: while one is queued, a newer request
 * updates it (newest head, newest reason) instead of adding a second job.
 *
 * @param payload extra JSON for the handler, or empty
 */
public record JobRequest(JobKind kind, String owner, String repository, Optional<String> branch,
                         Optional<String> headSha, JobReason reason, Optional<String> payload) {

    public JobRequest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        requireName("owner", owner);
        requireName("repository", repository);
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(headSha, "headSha");
        Objects.requireNonNull(payload, "payload");
        if ((kind == JobKind.RECONCILE || kind == JobKind.PREVIEW) && branch.isEmpty()) {
            throw new IllegalArgumentException("a reconcile job needs a branch");
        }
        headSha.ifPresent(sha -> {
            if (!sha.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a commit id: '" + sha + "'");
            }
        });
    }

    public static JobRequest reconcile(String owner, String repository, String branch, Optional<String> headSha,
                                       JobReason reason) {
        return new JobRequest(JobKind.RECONCILE, owner, repository, Optional.of(branch), headSha, reason, Optional.empty());
    }

    /** A pull request's preview: build {@code headSha} as {@code <function>--pr-<n>}, or remove it when {@code closed}. */
    public static JobRequest preview(String owner, String repository, int number, String headSha, boolean closed,
                                     boolean fromFork) {
        return new JobRequest(JobKind.PREVIEW, owner, repository, Optional.of("pull/" + number), Optional.of(headSha),
                JobReason.WEBHOOK, Optional.of("{\"number\":" + number + ",\"closed\":" + closed
                        + ",\"fromFork\":" + fromFork + "}"));
    }

    public static JobRequest gc(String owner, String repository, JobReason reason) {
        return new JobRequest(JobKind.GC, owner, repository, Optional.empty(), Optional.empty(), reason, Optional.empty());
    }

    public JobRequest withPayload(String json) {
        return new JobRequest(kind, owner, repository, branch, headSha, reason, Optional.of(json));
    }

    /** The coalescing key: kind, owner/repository and (for reconcile) the branch. */
    public String key() {
        return kind.dbName() + ":" + owner + "/" + repository + branch.map(b -> "@" + b).orElse("");
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isBlank() || value.length() > 200) {
            throw new IllegalArgumentException(what + " must be 1..200 characters");
        }
    }
}
