package dev.driftless.status;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Statuses as the reconciler would enqueue them for a push of alice/fns. */
final class Statuses {
    static final String SHA1 = "1111111111111111111111111111111111111111";
    static final String SHA2 = "2222222222222222222222222222222222222222";
    static final long INSTALLATION = 77;

    private Statuses() {}

    static CommitStatus.Builder on(String sha, long sequence) {
        return CommitStatus.builder().repository("alice", "fns").commit(sha, "main", sequence).installationId(INSTALLATION);
    }

    static CommitStatus stack(String sha, long sequence, CommitStatus.State state, String description) {
        return on(sha, sequence).stack().state(state).description(description).build();
    }

    static CommitStatus function(String sha, long sequence, String function, CommitStatus.State state, String description) {
        return on(sha, sequence).function(function).state(state).description(description).build();
    }

    /** Enqueues all in one transaction of the test, as the reconciler does with its state change. */
    static void enqueueInOneTransaction(DataSource ds, StatusOutbox outbox, CommitStatus... statuses) throws SQLException {
        try (Connection tx = ds.getConnection()) {
            tx.setAutoCommit(false);
            for (CommitStatus status : statuses) {
                outbox.enqueue(tx, status);
            }
            tx.commit();
        }
    }
}
