package dev.driftless.reconciler.queue;

import java.util.Locale;

/** What a job does. */
public enum JobKind {
    /** Reconcile one repository's tracked branch. */
    RECONCILE,
    /** Remove what a repository deployed (it left the installation or was deleted). */
    GC;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static JobKind fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
