package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

/** The same contract on the real PostgreSQL (FOR UPDATE SKIP LOCKED between replicas, its types). */
class NotificationDeliveryPostgresTest extends NotificationDeliveryContract {
    @Override
    Database open() {
        return TestDatabases.postgres();
    }
}
