package dev.driftless.webhook;

import java.util.List;

/**
 * Receives the ref updates of an accepted {@code git push} to the built-in endpoint. Called on a
 * worker thread after the refs were updated and before the git client gets its answer, so the
 * triggered reconcile is durable when {@code git push} returns.
 */
public interface GitPushSink {
    void pushed(List<RepositoryChanged> changes) throws Exception;
}
