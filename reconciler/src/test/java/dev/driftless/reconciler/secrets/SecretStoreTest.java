package dev.driftless.reconciler.secrets;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretStoreTest {
    private static final String VALUE = "pg-password-Zq81xk";

    @TempDir
    Path dir;
    private Database db;

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aValueComesBackOnlyThroughReadAndIsNeverInTheStoreInClear() throws Exception {
        db = TestDatabases.h2();
        SecretStore store = new SecretStore(db, SecretKeyRing.loadOrCreate(dir.resolve("keys/ring")), Clock.systemUTC());
        assertEquals(SecretStore.PutResult.CREATED, store.put("alice", "db-password", bytes(VALUE), "api"));
        assertArrayEquals(bytes(VALUE), store.read("alice", "db-password").orElseThrow());
        assertEquals(Optional.empty(), store.read("alice", "other"));
        assertEquals(Optional.empty(), store.read("bob", "db-password"), "owners do not share secrets");

        SecretStore.SecretInfo info = store.list("alice").get(0);
        assertEquals("db-password", info.name());
        assertEquals(VALUE.length(), info.sizeBytes());
        assertEquals("api", info.origin());
        for (String column : rawColumns()) {
            assertFalse(column.contains(VALUE), "clear value in a column: " + column);
            assertFalse(column.contains(Base64.getEncoder().encodeToString(bytes(VALUE))), "base64 of the value in a column");
        }
        assertEquals(SecretStore.PutResult.UPDATED, store.put("alice", "db-password", bytes("v2"), "cli"));
        assertArrayEquals(bytes("v2"), store.read("alice", "db-password").orElseThrow());
        assertTrue(store.delete("alice", "db-password"));
        assertFalse(store.delete("alice", "db-password"));
        assertTrue(store.list("alice").isEmpty());
    }

    @Test
    void theKeyFileIsPrivateAndAH2FileStoreHoldsNoClearValue() throws Exception {
        Path ringFile = dir.resolve("keys/ring");
        String url = "jdbc:h2:file:" + dir.resolve("db/driftless") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        db = Database.open(url, Optional.empty(), Optional.empty(), 2);
        SecretStore store = new SecretStore(db, SecretKeyRing.loadOrCreate(ringFile), Clock.systemUTC());
        store.put("alice", "api-key", bytes(VALUE), "api");
        db.close();
        db = null;
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ringFile)));
        try (var files = Files.walk(dir.resolve("db"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(VALUE), "clear value in " + file);
            }
        }
    }

    @Test
    void aRowCopiedToAnotherOwnerDoesNotDecrypt() throws Exception {
        db = TestDatabases.h2();
        SecretStore store = new SecretStore(db, SecretKeyRing.loadOrCreate(dir.resolve("ring")), Clock.systemUTC());
        store.put("alice", "token", bytes(VALUE), "api");
        db.inTransaction(tx -> {
            try (PreparedStatement copy = tx.prepareStatement("INSERT INTO owner_secrets SELECT 'bob', name, key_id, "
                    + "ciphertext, size_bytes, origin, created_at, updated_at FROM owner_secrets WHERE owner = 'alice'")) {
                return copy.executeUpdate();
            }
        });
        assertThrows(GeneralSecurityException.class, () -> store.read("bob", "token"));
        assertThrows(IOException.class, () -> store.values().read("bob", "token"));
    }

    @Test
    void rotationKeepsOldSecretsReadableAndReencryptsThem() throws Exception {
        db = TestDatabases.h2();
        Path ringFile = dir.resolve("ring");
        SecretKeyRing first = SecretKeyRing.loadOrCreate(ringFile);
        SecretStore store = new SecretStore(db, first, Clock.systemUTC());
        store.put("alice", "a", bytes("value-a"), "api");
        store.put("bob", "b", bytes("value-b"), "api");

        // Another process (driftless secret rotate-key) rotates the file: this store still reads both values...
        SecretKeyRing second = SecretKeyRing.load(ringFile).rotate();
        assertNotEquals(first.activeKeyId(), second.activeKeyId());
        assertEquals(List.of(first.activeKeyId(), second.activeKeyId()), SecretKeyRing.load(ringFile).keyIds());
        SecretStore rotating = new SecretStore(db, second, Clock.systemUTC());
        assertArrayEquals(bytes("value-a"), rotating.read("alice", "a").orElseThrow(), "old key still decrypts");
        assertEquals(2, rotating.reencrypt());
        assertEquals(0, rotating.reencrypt(), "nothing left under the old key");
        assertTrue(rotating.list("alice").stream().allMatch(s -> s.keyId().equals(second.activeKeyId())));
        // ...and the first store, whose ring predates the new key, reloads the file when it meets it.
        assertArrayEquals(bytes("value-b"), store.read("bob", "b").orElseThrow());
        store.put("alice", "c", bytes("value-c"), "api");
        assertArrayEquals(bytes("value-c"), rotating.read("alice", "c").orElseThrow());
    }

    @Test
    void badNamesAndValuesAreRefusedWithAReason() throws Exception {
        db = TestDatabases.h2();
        SecretStore store = new SecretStore(db, SecretKeyRing.loadOrCreate(dir.resolve("ring")), Clock.systemUTC());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> store.put("alice", "../x", bytes("v"), "api"))
                .getMessage().contains("not a secret name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> store.put("al ice", "x", bytes("v"), "api"))
                .getMessage().contains("not an owner name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> store.put("alice", "x",
                new byte[SecretStore.MAX_VALUE_BYTES + 1], "api")).getMessage().contains("at most"));
        Files.writeString(dir.resolve("broken"), "k0123456789 not-base64!\n");
        assertTrue(assertThrows(IOException.class, () -> SecretKeyRing.load(dir.resolve("broken")))
                .getMessage().contains("broken:1"));
    }

    private List<String> rawColumns() throws Exception {
        return db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT * FROM owner_secrets"); ResultSet rows = q.executeQuery()) {
                List<String> values = new ArrayList<>();
                while (rows.next()) {
                    for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                        values.add(String.valueOf(rows.getObject(i)));
                    }
                }
                return values;
            }
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
