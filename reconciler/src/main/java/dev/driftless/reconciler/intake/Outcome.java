package dev.driftless.reconciler.intake;

import java.util.Locale;

/** What intake did with a delivery: stored in {@code deliveries.outcome} and counted in /metrics. */
enum Outcome {
    /** A reconcile job was queued. */
    QUEUED,
    /** Folded into a reconcile job already queued for the branch. */
    COALESCED,
    /** A push to a branch other than the tracked one: recorded, nothing built. */
    NOT_TRACKED_BRANCH,
    /** A tag push: recorded, nothing built. */
    TAG,
    /** The branch was deleted: recorded, nothing built. */
    BRANCH_DELETED,
    /** The owner is not in DRIFTLESS_ALLOWED_OWNERS. */
    OWNER_NOT_ALLOWED,
    /** Installation or repository list recorded, nothing removed. */
    RECORDED,
    /** Repositories left the installation: garbage-collection jobs queued. */
    GC_QUEUED,
    PING,
    /** A pull request from a fork while DRIFTLESS_PREVIEWS_FROM_FORKS is off: recorded, nothing built. */
    FORK_NOT_BUILT,
    /** An event Driftless does not act on. */
    IGNORED,
    /** Same delivery id seen before: nothing done. */
    DUPLICATE;

    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
