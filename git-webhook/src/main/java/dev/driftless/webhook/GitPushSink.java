package dev.driftless.webhook;

import java.util.List;

/**
 * Receives the ref updates of an accepted {@code git push} to the built-in endpoint. Called on a
 * worker thread after the refs were updated and before the git client gets its answer, so the
 * triggered reconcile is durable when {@code git push} returns.
 */
public interface GitPushSink {
    void pushed(List<RepositoryChanged> changes) throws Exception;

    /**
     * Records the changes as {@link #pushed} does and returns lines for the git client about what they started
     * beyond the usual reconcile (e.g. a branch preview and the name it is served under); by default none.
     */
    default List<String> pushedTelling(List<RepositoryChanged> changes) throws Exception {
        pushed(changes);
        return List.of();
    }
}
