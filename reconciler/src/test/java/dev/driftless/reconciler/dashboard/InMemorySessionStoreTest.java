package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.InMemorySessionStore;
import dev.driftless.dashboard.SessionStore;

/** The contract on the dashboard's in-memory store: one process, so both "replicas" are the same store. */
class InMemorySessionStoreTest extends SessionStoreContract {
    private SessionStore store;

    @Override
    SessionStore open(int maxPendingStates) {
        store = new InMemorySessionStore(clock, maxPendingStates);
        return store;
    }

    @Override
    SessionStore replica() {
        return store;
    }

    @Override
    void close() {
        // nothing held outside the heap
    }
}
