package dev.driftless.reconciler.app;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** The PR comment's queue on H2 in PostgreSQL mode. */
class PreviewCommentsH2Test extends PreviewCommentsContract {
    @Override
    Database open() {
        return TestDatabases.h2();
    }
}
