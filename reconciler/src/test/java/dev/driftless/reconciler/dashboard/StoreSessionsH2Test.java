package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.SessionStore.Session;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions on H2 (PostgreSQL mode), the embedded default store; and on its file across a restart. */
class StoreSessionsH2Test extends StoreSessionsContract {
    @TempDir
    Path data;

    @Override
    String freshUrl() {
        return TestDatabases.freshH2Url();
    }

    @Test
    void aRestartOnTheSameDataFolderLogsNobodyOut() throws Exception {
        // The daemon's own default store for this data folder.
        String url = new ConfigLoader(Map.of("DRIFTLESS_DATA", data.toString())).load(Optional.empty()).dbUrl();
        Session session;
        String state;
        try (Database before = Database.open(url, Optional.empty(), Optional.empty(), 4)) {
            StoreSessions store = new StoreSessions(before, clock);
            session = store.create(ALICE, LIFETIME);
            state = store.issueState(STATE_LIFETIME).orElseThrow();
        }
        try (Database after = Database.open(url, Optional.empty(), Optional.empty(), 4)) {
            StoreSessions store = new StoreSessions(after, clock);
            assertEquals(session, store.find(session.id()).orElseThrow());
            assertTrue(store.consumeState(state), "a sign-in started before the restart finishes after it");
        }
    }
}
