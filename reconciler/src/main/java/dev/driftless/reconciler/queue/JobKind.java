package dev.driftless.reconciler.queue;

import java.util.Locale;

/** What a job does. */
public enum JobKind {
    /** Reconcile one repository's tracked branch. */
    RECONCILE,
    /** Remove what a repository deployed (it left the installation or was deleted). */
    GC,
    /** Redeploy an earlier release of one function of the repository (payload: function and release). */
    ROLLBACK,
    /** Suspend or resume reconciling the repository (payload: suspended). */
    SUSPEND,
    /**
     * Build and deploy (or, with {@code "closed": true} in the payload, remove) one pull request's preview
     * functions; the branch is {@code pull/<n>}, so newer pushes to the same PR coalesce. A branch's preview
     * (payload {@code branch}, and {@code deleted} to remove it) has the branch {@code branch/<name>}.
     */
    PREVIEW;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static JobKind fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
