package dev.driftless.reconciler.audit;

import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {
    private final Database db = TestDatabases.h2();

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void pagesFollowTheCursorPerOwnerOldestFirst() throws Exception {
        AuditLog audit = new AuditLog(db, Clock.systemUTC());
        for (int i = 0; i < 7; i++) {
            audit.append(AuditEntry.of("alice", "alice", AuditAction.PUSH, "fns", new JsonObject().put("n", i)));
            audit.append(AuditEntry.of("bob", "bob", AuditAction.PUSH, "fns", new JsonObject().put("n", i)));
        }
        List<Integer> seen = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        while (true) {
            AuditLog.Page page = audit.page("alice", cursor, 3);
            page.entries().forEach(e -> {
                assertEquals("alice", e.owner());
                seen.add(e.detail().getInteger("n"));
            });
            cursor = page.next();
            pages++;
            if (!page.more()) {
                break;
            }
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), seen);
        assertEquals(3, pages);
        assertTrue(audit.page("alice", cursor, 3).entries().isEmpty(), "nothing after the last cursor");
    }

    @Test
    void newestFirstPagesOlderWithBeforeAndNewerWithAfter() throws Exception {
        AuditLog audit = new AuditLog(db, Clock.systemUTC());
        for (int i = 0; i < 7; i++) {
            audit.append(AuditEntry.of("alice", "alice", AuditAction.PUSH, "fns", new JsonObject().put("n", i)));
            audit.append(AuditEntry.of("bob", "bob", AuditAction.PUSH, "fns", new JsonObject().put("n", i)));
        }
        AuditLog.Window newest = audit.newestFirst("alice", Optional.empty(), Optional.empty(), 3);
        assertEquals(List.of(6, 5, 4), numbers(newest));
        assertFalse(newest.newer());
        assertTrue(newest.older());
        long oldestShown = newest.entries().get(2).id();
        AuditLog.Window middle = audit.newestFirst("alice", Optional.of(oldestShown), Optional.empty(), 3);
        assertEquals(List.of(3, 2, 1), numbers(middle));
        assertTrue(middle.newer() && middle.older());
        AuditLog.Window last = audit.newestFirst("alice", Optional.of(middle.entries().get(2).id()), Optional.empty(), 3);
        assertEquals(List.of(0), numbers(last));
        assertTrue(last.newer());
        assertFalse(last.older());
        AuditLog.Window back = audit.newestFirst("alice", Optional.empty(), Optional.of(last.entries().get(0).id()), 3);
        assertEquals(List.of(3, 2, 1), numbers(back), "after= gives the page just newer, still newest first");
        assertTrue(audit.newestFirst("carol", Optional.empty(), Optional.empty(), 3).entries().isEmpty());
        assertTrue(newest.entries().stream().allMatch(e -> e.owner().equals("alice")));
    }

    private static List<Integer> numbers(AuditLog.Window window) {
        return window.entries().stream().map(e -> e.detail().getInteger("n")).toList();
    }

    @Test
    void entriesOlderThanTheRetentionArePruned() throws Exception {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        AuditLog old = new AuditLog(db, Clock.fixed(start, ZoneOffset.UTC));
        old.append(AuditEntry.of("alice", "alice", AuditAction.PUSH, "fns", new JsonObject().put("age", "old")));
        AuditLog later = new AuditLog(db, Clock.fixed(start.plus(Duration.ofDays(91)), ZoneOffset.UTC));
        later.append(AuditEntry.of("alice", "alice", AuditAction.PUSH, "fns", new JsonObject().put("age", "new")));

        AuditPruner pruner = new AuditPruner(later, Duration.ofDays(90));
        pruner.pruneOnce();
        List<AuditEntry> left = later.page("alice", 0, 10).entries();
        assertEquals(1, left.size());
        assertEquals("new", left.get(0).detail().getString("age"));
        assertEquals(0, later.prune(Duration.ofDays(90)), "pruning again deletes nothing");
        assertFalse(left.get(0).toJson().encode().isEmpty());
    }
}
