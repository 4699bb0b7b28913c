package dev.driftless.reconciler.queue;

import java.util.Locale;

/** Where a job is in its life. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED,
    /** A newer job of the same key ran or will run instead; this one never will. */
    SUPERSEDED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
