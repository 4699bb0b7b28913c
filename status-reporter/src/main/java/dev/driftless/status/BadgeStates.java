package dev.driftless.status;

import java.util.Optional;

/** Where badges read states from. Blocking (JDBC): {@link BadgeHandler} calls it on a worker thread. */
public interface BadgeStates {

    /**
     * The state of {@code context} on the newest commit (highest commit sequence) of the repository that
     * reported it; empty for an unknown repository or context.
     */
    Optional<CommitStatus.State> latestState(String owner, String repo, String context);
}
