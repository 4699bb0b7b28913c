package dev.driftless.reconciler.reconcile;

/**
 * What a reconcile pass did, so the job queue knows whether to retry: a user's mistake (bad stack.yml,
 * failing tests) is final until they push again; our own faults are retried with backoff.
 */
public record ReconcileOutcome(Kind kind, String commit, String message) {

    public enum Kind {
        /** Everything of the commit serves (or nothing needed doing). */
        SUCCEEDED,
        /** The user must change something; not retried. */
        FAILED,
        /** A fault of ours or of a dependency (registry, API server); retry later. */
        RETRY,
        /** Nothing done: suspended, branch gone, or repository unknown. */
        SKIPPED
    }

    public static ReconcileOutcome succeeded(String commit, String message) {
        return new ReconcileOutcome(Kind.SUCCEEDED, commit, message);
    }

    public static ReconcileOutcome failed(String commit, String message) {
        return new ReconcileOutcome(Kind.FAILED, commit, message);
    }

    public static ReconcileOutcome retry(String commit, String message) {
        return new ReconcileOutcome(Kind.RETRY, commit, message);
    }

    public static ReconcileOutcome skipped(String message) {
        return new ReconcileOutcome(Kind.SKIPPED, "", message);
    }
}
