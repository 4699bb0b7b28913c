package dev.driftless.reconciler.intake;

import dev.driftless.webhook.Delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The {@code deliveries} table: one row per delivery id, written first so that a redelivery is recognised. */
final class DeliveryRecord {
    private static final String OUTCOME = "UPDATE deliveries SET action = ?, owner = ?, repository = ?, ref = ?,"
            + " head_sha = ?, outcome = ?, job_id = ? WHERE id = ?";

    /** Inserts the delivery; false when its id is already recorded (a redelivery). */
    boolean insert(Connection tx, String id, String source, String event, OffsetDateTime receivedAt) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO deliveries (id, source, event, outcome, received_at)"
                + " VALUES (?, ?, ?, 'received', ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, id);
            insert.setString(2, source);
            insert.setString(3, event);
            insert.setObject(4, receivedAt);
            return insert.executeUpdate() == 1;
        }
    }

    /**
     * Inserts deliveries in one batch of statements; an entry is false when its id is already recorded (a redelivery,
     * also of an earlier entry of the same batch).
     */
    boolean[] insertAll(Connection tx, List<Delivery> batch, String source, Function<Delivery, OffsetDateTime> receivedAt)
            throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO deliveries (id, source, event, outcome, received_at)"
                + " VALUES (?, ?, ?, 'received', ?) ON CONFLICT DO NOTHING")) {
            for (Delivery delivery : batch) {
                insert.setString(1, delivery.id());
                insert.setString(2, source);
                insert.setString(3, delivery.eventName());
                insert.setObject(4, receivedAt.apply(delivery));
                insert.addBatch();
            }
            int[] counts = insert.executeBatch();
            boolean[] inserted = new boolean[counts.length];
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0 && counts[i] != 1) {
                    // Dedupe needs each row's count; a driver answering SUCCESS_NO_INFO would make redeliveries look new.
                    throw new SQLException("the JDBC driver did not report the row count of a batched insert: " + counts[i]);
                }
                inserted[i] = counts[i] == 1;
            }
            return inserted;
        }
    }

    /** What became of each delivery, in one batch of statements. */
    void outcomeAll(Connection tx, List<StoreDeliverySink.Written> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement update = tx.prepareStatement(OUTCOME)) {
            for (StoreDeliverySink.Written row : rows) {
                bindOutcome(update, row.deliveryId(), row.action(), row.owner(), row.repository(), row.ref(), row.headSha(),
                        row.outcome().label(), row.jobId());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /** What became of it. */
    void outcome(Connection tx, String id, Optional<String> action, Optional<String> owner, Optional<String> repository,
                 Optional<String> ref, Optional<String> headSha, String outcome, Optional<Long> jobId) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(OUTCOME)) {
            bindOutcome(update, id, action, owner, repository, ref, headSha, outcome, jobId);
            update.executeUpdate();
        }
    }

    private static void bindOutcome(PreparedStatement update, String id, Optional<String> action, Optional<String> owner,
                                    Optional<String> repository, Optional<String> ref, Optional<String> headSha,
                                    String outcome, Optional<Long> jobId) throws SQLException {
        update.setString(1, action.orElse(null));
        update.setString(2, owner.orElse(null));
        update.setString(3, repository.orElse(null));
        update.setString(4, ref.map(r -> r.length() > 255 ? r.substring(0, 255) : r).orElse(null));
        update.setString(5, headSha.orElse(null));
        update.setString(6, outcome);
        if (jobId.isPresent()) {
            update.setLong(7, jobId.get());
        } else {
            update.setNull(7, Types.BIGINT);
        }
        update.setString(8, id);
    }
}
