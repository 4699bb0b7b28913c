package dev.driftless.reconciler.store;

import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseTest {
    Database store() {
        return TestDatabases.h2();
    }

    @Test
    void migratesAtOpenCommitsOnReturnAndRollsBackOnThrow() throws Exception {
        Database db = store();
        try {
            assertTrue(db.isReady());
            db.inTransaction(tx -> {
                try (PreparedStatement s = tx.prepareStatement("INSERT INTO job_keys (job_key, last_seq, completed_seq) VALUES ('a', 0, 0)")) {
                    return s.executeUpdate();
                }
            });
            assertThrows(SQLException.class, () -> db.inTransaction(tx -> {
                try (PreparedStatement s = tx.prepareStatement("INSERT INTO job_keys (job_key, last_seq, completed_seq) VALUES ('b', 0, 0)")) {
                    s.executeUpdate();
                }
                throw new SQLException("the caller failed");
            }));
            long keys = db.inTransaction(tx -> {
                try (PreparedStatement q = tx.prepareStatement("SELECT COUNT(*) FROM job_keys"); ResultSet r = q.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            });
            assertEquals(1L, keys);
        } finally {
            db.close();
        }
        assertFalse(db.isReady(), "a closed store is not ready");
    }

    @Test
    void h2FileCommitsAreWrittenAtCommitTimeUnlessTheUrlSaysOtherwise() {
        assertEquals("jdbc:h2:file:/d/db;MODE=PostgreSQL;WRITE_DELAY=0", Database.durable("jdbc:h2:file:/d/db;MODE=PostgreSQL"));
        assertEquals("jdbc:h2:file:/d/db;WRITE_DELAY=100", Database.durable("jdbc:h2:file:/d/db;WRITE_DELAY=100"));
        assertEquals("jdbc:postgresql://h/db", Database.durable("jdbc:postgresql://h/db"));
        assertThrows(IllegalArgumentException.class, () -> Database.dialectOf("jdbc:mysql://h/db"));
    }
}
