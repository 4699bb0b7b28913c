package dev.driftless.reconciler.audit;

import dev.driftless.reconciler.reconcile.Transactions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The append-only audit trail in the store. Entries are written in the transaction of the change they
 * describe where there is one ({@link #append(Connection, AuditEntry)}), so a change and its entry commit or
 * roll back together. Blocking (JDBC): call from worker threads.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    public static final int MAX_PAGE = 1000;

    private final Transactions store;
    private final Clock clock;

    public AuditLog(Transactions store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Appends in the caller's transaction. */
    public void append(Connection tx, AuditEntry entry) throws SQLException {
        appendAll(tx, List.of(entry));
    }

    /** Appends several entries in the caller's transaction, in order, with one batched statement. */
    public void appendAll(Connection tx, List<AuditEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO audit_log (owner, actor, action, target, detail, "
                + "created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (AuditEntry entry : entries) {
                insert.setString(1, entry.owner());
                insert.setString(2, clip(entry.actor(), 200));
                insert.setString(3, entry.action());
                insert.setString(4, clip(entry.target(), 300));
                insert.setString(5, entry.detail().encode());
                insert.setObject(6, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Appends in a transaction of its own. */
    public void append(AuditEntry entry) throws SQLException {
        store.inTransaction(tx -> {
            append(tx, entry);
            return null;
        });
    }

    /** Appends, logging instead of throwing: for callers where the change already happened and must not fail. */
    public void appendQuietly(AuditEntry entry) {
        try {
            append(entry);
        } catch (SQLException | RuntimeException e) {
            LOG.error("event=audit.append_failed owner={} action={} error=\"{}\"", entry.owner(), entry.action(), e.toString());
        }
    }

    /** One page of an owner's entries, oldest first, with ids above {@code after}; {@code limit} is capped. */
    public Page page(String owner, long after, int limit) throws SQLException {
        int size = Math.max(1, Math.min(limit, MAX_PAGE));
        return store.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT id, owner, actor, action, target, detail, created_at "
                    + "FROM audit_log WHERE owner = ? AND id > ? ORDER BY id LIMIT ?")) {
                q.setString(1, owner);
                q.setLong(2, after);
                q.setInt(3, size + 1);
                List<AuditEntry> entries = new ArrayList<>();
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        entries.add(entry(rows));
                    }
                }
                boolean more = entries.size() > size;
                List<AuditEntry> shown = more ? entries.subList(0, size) : entries;
                long next = shown.isEmpty() ? after : shown.get(shown.size() - 1).id();
                return new Page(List.copyOf(shown), next, more);
            }
        });
    }

    /**
     * One page of an owner's entries for reading, newest first: those just older than {@code before}, or just
     * newer than {@code after}, or (neither) the newest; {@code limit} is capped. Says whether entries exist on
     * either side, so a reader can offer "newer" and "older".
     */
    public Window newestFirst(String owner, Optional<Long> before, Optional<Long> after, int limit) throws SQLException {
        int size = Math.max(1, Math.min(limit, MAX_PAGE));
        return store.inTransaction(tx -> {
            String sql = after.isPresent()
                    // The page just newer than the cursor: the oldest entries above it, shown newest first.
                    ? "SELECT id, owner, actor, action, target, detail, created_at FROM audit_log "
                            + "WHERE owner = ? AND id > ? ORDER BY id LIMIT ?"
                    : "SELECT id, owner, actor, action, target, detail, created_at FROM audit_log "
                            + "WHERE owner = ? AND id < ? ORDER BY id DESC LIMIT ?";
            List<AuditEntry> entries = new ArrayList<>();
            try (PreparedStatement q = tx.prepareStatement(sql)) {
                q.setString(1, owner);
                q.setLong(2, after.orElseGet(() -> before.orElse(Long.MAX_VALUE)));
                q.setInt(3, size);
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        entries.add(entry(rows));
                    }
                }
            }
            if (after.isPresent()) {
                Collections.reverse(entries);
            }
            if (entries.isEmpty()) {
                return new Window(List.of(), false, false);
            }
            boolean newer = exists(tx, owner, "id > ?", entries.get(0).id());
            boolean older = exists(tx, owner, "id < ?", entries.get(entries.size() - 1).id());
            return new Window(List.copyOf(entries), newer, older);
        });
    }

    /** Entries newest first, and whether newer or older ones exist beyond them. */
    public record Window(List<AuditEntry> entries, boolean newer, boolean older) { }

    private static boolean exists(Connection tx, String owner, String condition, long id) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT 1 FROM audit_log WHERE owner = ? AND " + condition
                + " LIMIT 1")) {
            q.setString(1, owner);
            q.setLong(2, id);
            try (ResultSet rows = q.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static AuditEntry entry(ResultSet rows) throws SQLException {
        return new AuditEntry(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5), new JsonObject(rows.getString(6)), rows.getObject(7, OffsetDateTime.class).toInstant());
    }

    /** A page and the cursor of the next one ({@code after=next}); {@code more} says whether it has entries yet. */
    public record Page(List<AuditEntry> entries, long next, boolean more) { }

    /** Deletes entries older than {@code retention}; returns how many. */
    public int prune(Duration retention) throws SQLException {
        OffsetDateTime cutoff = OffsetDateTime.ofInstant(clock.instant().minus(retention), ZoneOffset.UTC);
        int deleted = store.inTransaction(tx -> {
            try (PreparedStatement delete = tx.prepareStatement("DELETE FROM audit_log WHERE created_at < ?")) {
                delete.setObject(1, cutoff);
                return delete.executeUpdate();
            }
        });
        if (deleted > 0) {
            LOG.info("event=audit.pruned deleted={} before={}", deleted, cutoff);
        }
        return deleted;
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
