package dev.driftless.reconciler.dashboard;

import dev.driftless.reconciler.store.TestDatabases;

/** Sessions on a real PostgreSQL 15 started by scripts/test.sh, each replica with its own pool. */
class StoreSessionsPostgresTest extends StoreSessionsContract {
    @Override
    String freshUrl() {
        return TestDatabases.freshPostgresSchemaUrl();
    }
}
