package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.SQLException;

/** Where status reports go: the status outbox, inside the caller's transaction. */
@FunctionalInterface
public interface CommitStatuses {
    void report(Connection tx, StatusReport report) throws SQLException;
}
