package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenStoreTest {
    Database db;
    TokenStore tokens;

    Database store() {
        return TestDatabases.h2();
    }

    @BeforeEach
    void open() {
        db = store();
        tokens = new TokenStore(db, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aTokenGrantsItsOwnerOnlyAndIsStoredAsAHash() throws Exception {
        String token = tokens.create("alice");
        assertTrue(token.startsWith("dl_") && token.length() > 40);
        assertNotEquals(token, tokens.create("alice"), "each token is new");
        assertTrue(tokens.mayAccess("alice", "anything", token));
        assertFalse(tokens.mayAccess("bob", "alice", token), "another owner's repositories stay closed");
        assertFalse(tokens.mayAccess("alice", "alice", token + "x"));
        assertFalse(tokens.mayAccess("alice", "alice", ""));
        assertFalse(tokens.mayAccess("alice", "alice", null));
        assertEquals(Optional.of("alice"), tokens.ownerOf(token));
        String stored = db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT token_hash FROM tokens WHERE last_used_at IS NOT NULL");
                 ResultSet r = q.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        });
        assertEquals(TokenStore.sha256(token), stored);
        assertFalse(stored.contains(token.substring(3, 20)));
    }

    @Test
    void ownerNamesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> tokens.create("not an owner"));
        assertThrows(IllegalArgumentException.class, () -> tokens.create("-alice"));
    }
}
