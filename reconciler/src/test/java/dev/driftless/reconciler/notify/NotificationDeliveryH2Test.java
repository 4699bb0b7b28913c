package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;

class NotificationDeliveryH2Test extends NotificationDeliveryContract {
    @Override
    Database open() {
        return TestDatabases.h2();
    }
}
