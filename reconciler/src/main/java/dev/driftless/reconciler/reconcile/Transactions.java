package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one database transaction: commit when it returns, roll back when it throws. */
@FunctionalInterface
public interface Transactions {

    <T> T inTransaction(Work<T> work) throws SQLException;

    /** Work inside a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection tx) throws SQLException;
    }
}
