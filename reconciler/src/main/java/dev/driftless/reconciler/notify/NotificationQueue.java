package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.reconcile.Transactions;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sending side of {@code notification_outbox}, as {@code status_outbox}'s. Each target (URL) gets its
 * notifications in the order they were recorded: a row is due only when no older row for the same URL is still
 * pending (a receiver never hears "succeeded" before "started"). Due rows are claimed under a
 * lease ({@code FOR UPDATE SKIP LOCKED}, so replicas claim side by side), and every later write is guarded by
 * {@code lease_owner} and {@code outcome = 'pending'}: a sender that lost its lease cannot overwrite the new
 * holder's result, and a row once delivered or failed is never claimed or sent again.
 */
final class NotificationQueue {
    /** A claimed row, with what sending it needs. */
    record Row(long id, String deliveryId, String owner, String event, String url, String format,
               Optional<String> secretRef, String body, int attempts) { }

    private final Transactions store;

    NotificationQueue(Transactions store) {
        this.store = store;
    }

    List<Long> claim(String leaseOwner, int limit, Instant now, java.time.Duration lease) throws SQLException {
        return store.inTransaction(tx -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement select = tx.prepareStatement("""
                    SELECT o.id FROM notification_outbox o
                    WHERE o.outcome = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
                      AND NOT EXISTS (SELECT 1 FROM notification_outbox e
                                      WHERE e.url = o.url AND e.outcome = 'pending' AND e.id < o.id)
                    ORDER BY o.id LIMIT ? FOR UPDATE SKIP LOCKED""")) {
                select.setObject(1, utc(now));
                select.setObject(2, utc(now));
                select.setInt(3, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
            }
            try (PreparedStatement update = tx.prepareStatement(
                    "UPDATE notification_outbox SET lease_owner = ?, lease_until = ? WHERE id = ?")) {
                for (long id : ids) {
                    update.setString(1, leaseOwner);
                    update.setObject(2, utc(now.plus(lease)));
                    update.setLong(3, id);
                    update.addBatch();
                }
                if (!ids.isEmpty()) {
                    update.executeBatch();
                }
            }
            return ids;
        });
    }

    /** Renews the lease just before sending and loads the row; empty when it is no longer ours. */
    Optional<Row> renewAndLoad(long id, String leaseOwner, Instant now, java.time.Duration lease) throws SQLException {
        return store.inTransaction(tx -> {
            try (PreparedStatement renew = tx.prepareStatement("UPDATE notification_outbox SET lease_until = ? "
                    + "WHERE id = ? AND lease_owner = ? AND outcome = 'pending'")) {
                renew.setObject(1, utc(now.plus(lease)));
                renew.setLong(2, id);
                renew.setString(3, leaseOwner);
                if (renew.executeUpdate() != 1) {
                    return Optional.<Row>empty();
                }
            }
            try (PreparedStatement q = tx.prepareStatement("SELECT delivery_id, owner, event, url, format, secret_ref, "
                    + "body, attempts FROM notification_outbox WHERE id = ?")) {
                q.setLong(1, id);
                try (ResultSet rows = q.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.<Row>empty();
                    }
                    return Optional.of(new Row(id, rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getString(5), Optional.ofNullable(rows.getString(6)),
                            rows.getString(7), rows.getInt(8)));
                }
            }
        });
    }

    /** Delivered or failed for good: counted, finished, never claimed again. False if the row was not ours. */
    boolean finish(long id, String leaseOwner, String outcome, Integer httpStatus, String error, Instant now)
            throws SQLException {
        return store.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement("""
                    UPDATE notification_outbox SET outcome = ?, attempts = attempts + 1, last_http_status = ?,
                        last_error = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL
                    WHERE id = ? AND lease_owner = ? AND outcome = 'pending'""")) {
                update.setString(1, outcome);
                update.setObject(2, httpStatus, java.sql.Types.INTEGER);
                update.setString(3, cut(error));
                update.setObject(4, utc(now));
                update.setLong(5, id);
                update.setString(6, leaseOwner);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** A failed attempt: counted, retried at {@code next}. */
    void retryAt(long id, String leaseOwner, Integer httpStatus, String error, Instant next) throws SQLException {
        store.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement("""
                    UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_http_status = ?,
                        last_error = ?, lease_owner = NULL, lease_until = NULL
                    WHERE id = ? AND lease_owner = ? AND outcome = 'pending'""")) {
                update.setObject(1, utc(next));
                update.setObject(2, httpStatus, java.sql.Types.INTEGER);
                update.setString(3, cut(error));
                update.setLong(4, id);
                update.setString(5, leaseOwner);
                update.executeUpdate();
            }
            return null;
        });
    }

    /** Gives a claimed row back untouched (the sender is stopping): another sender, or the next start, sends it. */
    void release(long id, String leaseOwner) throws SQLException {
        store.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement("UPDATE notification_outbox SET lease_owner = NULL, "
                    + "lease_until = NULL WHERE id = ? AND lease_owner = ? AND outcome = 'pending'")) {
                update.setLong(1, id);
                update.setString(2, leaseOwner);
                update.executeUpdate();
            }
            return null;
        });
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String cut(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 999) + "…";
    }
}
