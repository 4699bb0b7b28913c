package dev.driftless.reconciler.queue;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** The queue on H2 (PostgreSQL mode), the embedded default store. */
class JobQueueH2Test extends JobQueueContract {
    @Override
    Database open() {
        return TestDatabases.h2();
    }
}
