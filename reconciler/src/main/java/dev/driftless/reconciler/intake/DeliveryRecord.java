package dev.driftless.reconciler.intake;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.Optional;

/** The {@code deliveries} table: one row per delivery id, written first so that a redelivery is recognised. */
final class DeliveryRecord {

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

    /** What became of it. */
    void outcome(Connection tx, String id, Optional<String> action, Optional<String> owner, Optional<String> repository,
                 Optional<String> ref, Optional<String> headSha, String outcome, Optional<Long> jobId) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("UPDATE deliveries SET action = ?, owner = ?, repository = ?,"
                + " ref = ?, head_sha = ?, outcome = ?, job_id = ? WHERE id = ?")) {
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
            update.executeUpdate();
        }
    }
}
