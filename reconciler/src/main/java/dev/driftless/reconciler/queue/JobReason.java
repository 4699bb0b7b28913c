package dev.driftless.reconciler.queue;

import java.util.Locale;

/** Why a job was queued. */
public enum JobReason {
    WEBHOOK, GIT_PUSH, RESYNC, MANUAL, ROLLBACK, REMOVED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static JobReason fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
