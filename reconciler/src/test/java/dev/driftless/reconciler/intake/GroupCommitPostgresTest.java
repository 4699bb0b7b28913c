package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** Group commit on a real PostgreSQL 15 started by scripts/test.sh. */
class GroupCommitPostgresTest extends GroupCommitTest {
    @Override
    Database store() {
        return TestDatabases.postgres();
    }
}
