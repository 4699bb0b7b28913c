package dev.driftless.reconciler.queue;

import java.util.Objects;
import java.util.Optional;

/**
 * A job to enqueue. Requests with the same {@link #key()} coalesce: while one is queued, a newer request
 * updates it (newest head, newest reason, newest payload) instead of adding a second job. Whatever the key,
 * jobs of one repository never run at the same time (see {@link JobQueue}).
 *
 * @param target  what in the repository the job is about, part of the key (the function of a rollback), or empty
 * @param payload extra JSON for the handler, or empty
 */
public record JobRequest(JobKind kind, String owner, String repository, Optional<String> branch,
                         Optional<String> headSha, JobReason reason, Optional<String> target, Optional<String> payload) {

    public JobRequest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        requireName("owner", owner);
        requireName("repository", repository);
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(headSha, "headSha");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(target, "target");
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
        return new JobRequest(JobKind.RECONCILE, owner, repository, Optional.of(branch), headSha, reason, Optional.empty(),
                Optional.empty());
    }

    /** A pull request's preview: build {@code headSha} as {@code <function>--pr-<n>}, or remove it when {@code closed}. */
    public static JobRequest preview(String owner, String repository, int number, String headSha, boolean closed,
                                     boolean fromFork) {
        return new JobRequest(JobKind.PREVIEW, owner, repository, Optional.of("pull/" + number), Optional.of(headSha),
                JobReason.WEBHOOK, Optional.empty(), Optional.of("{\"number\":" + number + ",\"closed\":" + closed
                        + ",\"fromFork\":" + fromFork + "}"));
    }

    /**
     * A branch's preview (a push to the built-in git endpoint): build {@code headSha} as {@code <function>--<slug>},
     * or remove the branch's previews when {@code headSha} is empty (the branch was deleted). The job's branch is
     * {@code branch/<name>}, apart from pull requests' {@code pull/<n>}, so pushes and the deletion coalesce.
     */
    public static JobRequest branchPreview(String owner, String repository, String branch, Optional<String> headSha) {
        return new JobRequest(JobKind.PREVIEW, owner, repository, Optional.of("branch/" + branch), headSha,
                JobReason.GIT_PUSH, Optional.empty(), Optional.of(new io.vertx.core.json.JsonObject()
                        .put("branch", branch).put("deleted", headSha.isEmpty()).encode()));
    }

    public static JobRequest gc(String owner, String repository, JobReason reason) {
        return new JobRequest(JobKind.GC, owner, repository, Optional.empty(), Optional.empty(), reason, Optional.empty(),
                Optional.empty());
    }

    /** Redeploy {@code release} of {@code function}; a newer rollback of the same function replaces a queued one. */
    public static JobRequest rollback(String owner, String repository, String function, int release) {
        requireName("function", function);
        return new JobRequest(JobKind.ROLLBACK, owner, repository, Optional.empty(), Optional.empty(), JobReason.ROLLBACK,
                Optional.of(function), Optional.of(new io.vertx.core.json.JsonObject().put("function", function)
                        .put("release", release).encode()));
    }

    /** Suspend (or resume) reconciling; the newest request wins over a queued one. */
    public static JobRequest suspend(String owner, String repository, boolean suspended) {
        return new JobRequest(JobKind.SUSPEND, owner, repository, Optional.empty(), Optional.empty(), JobReason.MANUAL,
                Optional.empty(), Optional.of(new io.vertx.core.json.JsonObject().put("suspended", suspended).encode()));
    }

    public JobRequest withPayload(String json) {
        return new JobRequest(kind, owner, repository, branch, headSha, reason, target, Optional.of(json));
    }

    /** The coalescing key: kind, owner/repository, the branch (reconcile) or the target (a rollback's function). */
    public String key() {
        return kind.dbName() + ":" + owner + "/" + repository + branch.map(b -> "@" + b).orElse("")
                + target.map(t -> "/" + t).orElse("");
    }

    /** The key every job of this repository locks while it is claimed: one job per repository runs at a time. */
    static String repositoryKey(String owner, String repository) {
        return "repository:" + owner + "/" + repository;
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isBlank() || value.length() > 200) {
            throw new IllegalArgumentException(what + " must be 1..200 characters");
        }
    }
}
