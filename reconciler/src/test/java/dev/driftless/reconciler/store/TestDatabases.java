package dev.driftless.reconciler.store;

import dev.driftless.testsupport.RealComponent;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;

/** Fresh, migrated stores for tests: an in-memory H2, or a new schema in the test command's PostgreSQL. */
public final class TestDatabases {
    private TestDatabases() { }

    public static Database h2() {
        return Database.open(freshH2Url(), Optional.empty(), Optional.empty(), 10);
    }

    /** A JDBC URL of a new in-memory H2 that lives until the JVM exits, so that several pools can open it. */
    public static String freshH2Url() {
        return "jdbc:h2:mem:test-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
    }

    /** A new schema in the real PostgreSQL (skips, or fails under CI=true, when it is not running). */
    public static Database postgres() {
        return Database.open(freshPostgresSchemaUrl(), Optional.empty(), Optional.empty(), 10);
    }

    /** A JDBC URL of the real PostgreSQL whose default schema is new and empty. */
    public static String freshPostgresSchemaUrl() {
        String url = RealComponent.POSTGRES.require();
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test schema in " + url, e);
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
