package dev.driftless.reconciler.app;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** The PR comment's queue on a real PostgreSQL 15 started by scripts/test.sh. */
class PreviewCommentsPostgresTest extends PreviewCommentsContract {
    @Override
    Database open() {
        return TestDatabases.postgres();
    }
}
