package dev.driftless.reconciler.reconcile;

import java.time.Instant;
import java.util.Optional;

/**
 * One numbered release of a function: the image (by digest) and spec that were, or are to be,
 * deployed. A rollback is a new release that reuses an older release's image: no rebuild.
 */
public record Release(
        String owner,
        String function,
        int number,
        String repository,
        String commit,
        String image,
        String specJson,
        Source source,
        Optional<Integer> rollbackOf,
        Optional<Long> buildId,
        Result result,
        String reason,
        Instant createdAt) {

    public enum Source { PUSH, ROLLBACK }

    public enum Result { PENDING, DEPLOYED, FAILED }

    public String shortCommit() {
        return commit.substring(0, 7);
    }
}
