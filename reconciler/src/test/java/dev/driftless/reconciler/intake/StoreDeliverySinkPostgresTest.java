package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** The intake sink's SQL on a real PostgreSQL 15 started by scripts/test.sh. */
class StoreDeliverySinkPostgresTest extends StoreDeliverySinkTest {
    @Override
    Database store() {
        return TestDatabases.postgres();
    }
}
