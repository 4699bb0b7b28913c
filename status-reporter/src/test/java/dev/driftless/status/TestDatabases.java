package dev.driftless.status;

import dev.driftless.testsupport.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** Databases migrated with the shipped Flyway scripts, as the reconciler runs them. */
final class TestDatabases {
    static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";

    private TestDatabases() {}

    static DataSource h2Memory() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:status-" + UUID.randomUUID() + H2_OPTIONS + ";DB_CLOSE_DELAY=-1");
        return migrate(ds);
    }

    /** An H2 file database that closes when its last connection closes, like a daemon that exits. */
    static DataSource h2File(Path file) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + file.toAbsolutePath() + H2_OPTIONS);
        return migrate(ds);
    }

    /** A fresh schema in the PostgreSQL that scripts/test.sh started. */
    static DataSource postgres(String jdbcUrl) {
        String schema = "status_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        ds.setCurrentSchema(schema);
        Flyway.configure().dataSource(ds).schemas(schema).createSchemas(true).locations("classpath:db/migration").load().migrate();
        return ds;
    }

    static DataSource migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }

    /** Rows of status_outbox as column → value maps, by id. */
    static List<Map<String, Object>> outbox(DataSource ds) throws SQLException {
        return query(ds, "SELECT id, context, state, description, outcome, attempts, last_http_status, last_error "
                + "FROM status_outbox ORDER BY id");
    }

    static List<Map<String, Object>> query(DataSource ds, String sql) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits until no outbox row is pending; fails after {@code timeout}. */
    static void awaitNothingPending(DataSource ds, Duration timeout) throws Exception {
        try {
            Await.until("no pending outbox rows", timeout, () -> {
                try {
                    return count(ds, "SELECT COUNT(*) FROM status_outbox WHERE outcome = 'pending'") == 0;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + outbox(ds), e);
        }
    }
}
