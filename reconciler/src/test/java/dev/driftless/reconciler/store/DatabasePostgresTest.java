package dev.driftless.reconciler.store;

/** The same schema and transaction behaviour on a real PostgreSQL 15 started by scripts/test.sh. */
class DatabasePostgresTest extends DatabaseTest {
    @Override
    Database store() {
        return TestDatabases.postgres();
    }
}
