package dev.driftless.reconciler.secrets;

import dev.driftless.reconciler.audit.AuditAction;
import dev.driftless.reconciler.audit.AuditEntry;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The secret store and the audit trail on the real PostgreSQL (their migrations, types and paging). */
class SecretsAndAuditPostgresTest {
    @TempDir
    Path dir;

    @Test
    void secretsRoundTripRotateAndTheAuditTrailPagesAndPrunes() throws Exception {
        try (Database db = TestDatabases.postgres()) {
            SecretStore store = new SecretStore(db, SecretKeyRing.loadOrCreate(dir.resolve("ring")), Clock.systemUTC());
            assertEquals(SecretStore.PutResult.CREATED, store.put("alice", "db", "v".getBytes(StandardCharsets.UTF_8), "api"));
            assertEquals(SecretStore.PutResult.UPDATED, store.put("alice", "db", "pg-value".getBytes(StandardCharsets.UTF_8), "api"));
            store.useRing(store.ring().rotate());
            assertEquals(1, store.reencrypt());
            assertArrayEquals("pg-value".getBytes(StandardCharsets.UTF_8), store.read("alice", "db").orElseThrow());
            assertEquals(8, store.list("alice").get(0).sizeBytes());

            AuditLog audit = new AuditLog(db, Clock.systemUTC());
            for (int i = 0; i < 5; i++) {
                audit.append(AuditEntry.of("alice", "alice", AuditAction.PUSH, "fns", new JsonObject().put("n", i)));
            }
            AuditLog.Page first = audit.page("alice", 0, 3);
            AuditLog.Page second = audit.page("alice", first.next(), 3);
            assertEquals(List.of(0, 1, 2), first.entries().stream().map(e -> e.detail().getInteger("n")).toList());
            assertEquals(List.of(3, 4), second.entries().stream().map(e -> e.detail().getInteger("n")).toList());
            assertFalse(second.more());
            // The dashboard's reading: newest first, and back with after=.
            AuditLog.Window newest = audit.newestFirst("alice", java.util.Optional.empty(), java.util.Optional.empty(), 3);
            assertEquals(List.of(4, 3, 2), newest.entries().stream().map(e -> e.detail().getInteger("n")).toList());
            AuditLog.Window older = audit.newestFirst("alice", java.util.Optional.of(newest.entries().get(2).id()),
                    java.util.Optional.empty(), 3);
            assertEquals(List.of(1, 0), older.entries().stream().map(e -> e.detail().getInteger("n")).toList());
            assertTrue(older.newer());
            assertFalse(older.older());
            assertEquals(0, audit.prune(Duration.ofDays(1)));
        }
    }
}
