package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** Token SQL on a real PostgreSQL 15 started by scripts/test.sh. */
class TokenStorePostgresTest extends TokenStoreTest {
    @Override
    Database store() {
        return TestDatabases.postgres();
    }
}
