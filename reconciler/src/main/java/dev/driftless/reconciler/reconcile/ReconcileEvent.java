package dev.driftless.reconciler.reconcile;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something the reconcile loop did that people want to hear about (a notification): recorded in the
 * transaction that records the change itself, through {@link ReconcileEvents}.
 *
 * @param type       what happened
 * @param owner      whose functions
 * @param repository the repository it concerns
 * @param function   the function, for rollout failures, rollbacks and prunes
 * @param commit     the commit built or deployed, when there is one
 * @param build      the build's id, when there is one
 * @param message    one line a person reads (the status description, the reason)
 * @param url        where to look: the build log, the endpoint, the repository page
 * @param at         when
 */
public record ReconcileEvent(Type type, String owner, String repository, Optional<String> function,
                             Optional<String> commit, Optional<Long> build, String message, Optional<String> url,
                             Instant at) {
    /** The event types, with the names notifications carry ({@code X-Driftless-Event}). */
    public enum Type {
        BUILD_STARTED("build.started"), BUILD_SUCCEEDED("build.succeeded"), BUILD_FAILED("build.failed"),
        ROLLOUT_FAILED("rollout.failed"), ROLLBACK("rollback"), PRUNE("prune");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** The type of a wire name ({@code build.failed}); empty for an unknown one. */
        public static Optional<Type> ofWireName(String name) {
            for (Type type : values()) {
                if (type.wireName.equals(name)) {
                    return Optional.of(type);
                }
            }
            return Optional.empty();
        }
    }

    public ReconcileEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(build, "build");
        message = message == null ? "" : message;
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(at, "at");
    }
}
