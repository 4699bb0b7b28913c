package dev.driftless.reconciler.queue;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** The queue on a real PostgreSQL 15 started by scripts/test.sh (FOR UPDATE SKIP LOCKED path). */
class JobQueuePostgresTest extends JobQueueContract {
    @Override
    Database open() {
        return TestDatabases.postgres();
    }
}
