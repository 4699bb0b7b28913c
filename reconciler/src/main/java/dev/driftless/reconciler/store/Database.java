package dev.driftless.reconciler.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.driftless.reconciler.config.Secret;
import dev.driftless.reconciler.reconcile.Transactions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The store: a HikariCP pool over H2 (file, PostgreSQL mode) or PostgreSQL, whose schema Flyway
 * migrates from {@code classpath:db/migration} when it opens. Blocking: use it from worker threads only.
 */
public final class Database implements Transactions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    public enum Dialect { H2, POSTGRES }

    private final HikariDataSource pool;
    private final Dialect dialect;
    private volatile boolean migrated;

    private Database(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
    }

    /** Opens the pool and migrates the schema; fails when the store is unreachable or a migration fails. */
    public static Database open(String jdbcUrl, Optional<String> user, Optional<Secret> password, int maxConnections) {
        Dialect dialect = dialectOf(jdbcUrl);
        HikariConfig config = new HikariConfig();
        config.setPoolName("driftless-db");
        config.setJdbcUrl(durable(jdbcUrl));
        user.ifPresent(config::setUsername);
        password.ifPresent(p -> config.setPassword(p.reveal()));
        config.setMaximumPoolSize(maxConnections);
        config.setAutoCommit(true);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource pool = new HikariDataSource(config);
        Database database = new Database(pool, dialect);
        try {
            database.migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return database;
    }

    /**
     * H2 writes committed transactions to its file up to 500 ms later by default (WRITE_DELAY), so a
     * kill -9 right after a 2xx would lose what was acknowledged. Unless the URL says otherwise, commits
     * of an H2 file database are written at commit time.
     */
    static String durable(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:file:") && !jdbcUrl.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")) {
            return jdbcUrl + ";WRITE_DELAY=0";
        }
        return jdbcUrl;
    }

    static Dialect dialectOf(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return Dialect.POSTGRES;
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return Dialect.H2;
        }
        throw new IllegalArgumentException("unsupported JDBC URL (jdbc:h2:… or jdbc:postgresql:…)");
    }

    private void migrate() {
        // outOfOrder: modules own version ranges (core V1..V99, status-reporter V100+), so a core
        // migration added later may carry a lower version than one already applied.
        MigrateResult result = Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration")
                .outOfOrder(true)
                .load()
                .migrate();
        migrated = true;
        LOG.info("event=store.migrated dialect={} applied={} schema_version={}",
                dialect, result.migrationsExecuted, result.targetSchemaVersion);
    }

    public Dialect dialect() {
        return dialect;
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * Runs {@code work} in one transaction: commits when it returns, rolls back when it throws. Nested use
     * is not supported (each call takes its own connection); pass the {@link Connection} down instead.
     */
    @Override
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            try {
                T result = work.run(tx);
                tx.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(tx, e);
                throw e;
            } finally {
                tx.setAutoCommit(true);
            }
        }
    }

    private static void rollbackQuietly(Connection tx, Throwable cause) {
        try {
            tx.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Ready = migrations done and a connection answers a trivial query within a second. */
    public boolean isReady() {
        if (!migrated || pool.isClosed()) {
            return false;
        }
        try (Connection c = pool.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
