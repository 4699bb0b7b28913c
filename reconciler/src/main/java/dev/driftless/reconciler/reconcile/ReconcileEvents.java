package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the reconcile loop records its {@link ReconcileEvent}s: inside the transaction of the change, so an
 * event exists exactly when the change was committed (the notification outbox in the daemon).
 */
@FunctionalInterface
public interface ReconcileEvents {
    void record(Connection tx, ReconcileEvent event) throws SQLException;

    /** Records nothing. */
    ReconcileEvents NONE = (tx, event) -> { };
}
