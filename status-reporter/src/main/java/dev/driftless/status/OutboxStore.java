package dev.driftless.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The sender's side of {@code status_outbox}: claiming due rows under a lease, and recording how each
 * attempt ended. Every update is guarded by {@code lease_owner}, so a sender that lost its lease (it was
 * too slow, another replica took the row) cannot overwrite the new owner's result.
 */
final class OutboxStore {
    /** A claimed row: the status, how often it was tried, and the check run to update, if any. */
    record Claimed(long id, CommitStatus status, int attempts, OptionalLong checkRunId) {}

    /**
     * A row just leased. {@code inDoubt}: it was still held by another lease (or marked {@link #UNCONFIRMED}) when
     * it was claimed, so an earlier attempt may have reached GitHub without its answer being recorded (the sender was
     * killed or lost the database in between); GitHub is asked before it is sent again.
     */
    record Lease(long id, boolean inDoubt) {}

    /**
     * The lease owner of a row whose earlier attempt's outcome is still unknown (GitHub could not be asked yet): never
     * a sender's name, so no sender's guarded update matches it, and claiming it again keeps it in doubt.
     */
    static final String UNCONFIRMED = "unconfirmed";

    private final DataSource dataSource;

    OutboxStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Leases up to {@code limit} due rows. A row is due when pending, its next attempt time has come, no
     * live lease holds it, and no older pending row exists for the same (owner, repo, context): statuses of
     * one context go out in the order they were enqueued. {@code FOR UPDATE SKIP LOCKED} lets replicas
     * claim side by side on PostgreSQL; the lease then keeps the row theirs while they call GitHub without
     * holding a transaction open.
     */
    List<Lease> claim(String leaseOwner, int limit, Instant now, Duration lease) throws SQLException {
        List<Lease> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement select = c.prepareStatement("""
                        SELECT o.id, o.lease_owner FROM status_outbox o
                        WHERE o.outcome = 'pending' AND o.next_attempt_at <= ?
                          AND (o.lease_until IS NULL OR o.lease_until <= ?)
                          AND NOT EXISTS (SELECT 1 FROM status_outbox e
                                          WHERE e.owner = o.owner AND e.repo = o.repo AND e.context = o.context
                                            AND e.outcome = 'pending' AND e.id < o.id)
                        ORDER BY o.id
                        LIMIT ?
                        FOR UPDATE SKIP LOCKED""")) {
                    select.setTimestamp(1, Timestamp.from(now));
                    select.setTimestamp(2, Timestamp.from(now));
                    select.setInt(3, limit);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            // Every way a sender lets go of a row clears lease_owner; one still set was dropped.
                            ids.add(new Lease(rs.getLong(1), rs.getString(2) != null));
                        }
                    }
                }
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE status_outbox SET lease_owner = ?, lease_until = ? WHERE id = ?")) {
                    for (Lease claimed : ids) {
                        update.setString(1, leaseOwner);
                        update.setTimestamp(2, Timestamp.from(now.plus(lease)));
                        update.setLong(3, claimed.id());
                        update.addBatch();
                    }
                    update.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return ids;
    }

    /**
     * Renews the lease of a row just before it is sent and loads it; null if the row is no longer ours.
     * Renewing per row keeps a slow batch from outliving its lease.
     */
    Claimed renewAndLoad(long id, String leaseOwner, Instant now, Duration lease) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement renew = c.prepareStatement("""
                    UPDATE status_outbox SET lease_until = ?
                    WHERE id = ? AND lease_owner = ? AND outcome = 'pending'""")) {
                renew.setTimestamp(1, Timestamp.from(now.plus(lease)));
                renew.setLong(2, id);
                renew.setString(3, leaseOwner);
                if (renew.executeUpdate() != 1) {
                    return null;
                }
            }
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT o.owner, o.repo, o.sha, o.branch, o.commit_sequence, o.context, o.state, o.description,
                           o.target_url, o.installation_id, o.summary, o.log_text, o.attempts, c.check_run_id
                    FROM status_outbox o
                    LEFT JOIN commit_statuses c
                      ON c.owner = o.owner AND c.repo = o.repo AND c.sha = o.sha AND c.context = o.context
                    WHERE o.id = ?""")) {
                select.setLong(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    long installation = rs.getLong(10);
                    Long installationId = rs.wasNull() ? null : installation;
                    CommitStatus status = new CommitStatus(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getLong(5), rs.getString(6),
                            CommitStatus.State.fromApiValue(rs.getString(7)), rs.getString(8), rs.getString(9),
                            installationId, CommitStatus.Target.GITHUB, rs.getString(11), rs.getString(12));
                    int attempts = rs.getInt(13);
                    long checkRun = rs.getLong(14);
                    OptionalLong checkRunId = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(checkRun);
                    return new Claimed(id, status, attempts, checkRunId);
                }
            }
        }
    }

    void delivered(Claimed row, String leaseOwner, int httpStatus, OptionalLong checkRunId, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (finish(c, row.id(), leaseOwner, "delivered", httpStatus, null, now) && checkRunId.isPresent()) {
                    try (PreparedStatement update = c.prepareStatement("""
                            UPDATE commit_statuses SET check_run_id = ?
                            WHERE owner = ? AND repo = ? AND sha = ? AND context = ?""")) {
                        CommitStatus s = row.status();
                        update.setLong(1, checkRunId.getAsLong());
                        update.setString(2, s.owner());
                        update.setString(3, s.repo());
                        update.setString(4, s.sha());
                        update.setString(5, s.context());
                        update.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    void failed(long id, String leaseOwner, int httpStatus, String reason, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            finish(c, id, leaseOwner, "failed", httpStatus, reason, now);
        }
    }

    /** A failed attempt: counts it and plans the next one. */
    void retryAt(long id, String leaseOwner, int httpStatus, String reason, Instant next) throws SQLException {
        update(id, leaseOwner, httpStatus, reason, next, 1);
    }

    /** Not an attempt that failed (rate limit, or paused before sending): waits without counting. */
    void postpone(long id, String leaseOwner, Integer httpStatus, String reason, Instant next) throws SQLException {
        update(id, leaseOwner, httpStatus, reason, next, 0);
    }

    /** Gives a claimed row back untouched (the sender is stopping); a row in doubt stays in doubt. */
    void release(long id, String leaseOwner, boolean inDoubt) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("""
                     UPDATE status_outbox SET lease_owner = ?, lease_until = NULL
                     WHERE id = ? AND lease_owner = ?""")) {
            update.setString(1, inDoubt ? UNCONFIRMED : null);
            update.setLong(2, id);
            update.setString(3, leaseOwner);
            update.executeUpdate();
        }
    }

    /**
     * GitHub could not be asked whether the earlier attempt went through: tried again at {@code next}, still in
     * doubt (marked {@link #UNCONFIRMED}, so it is looked up, not posted blindly, next time too).
     */
    void unconfirmedUntil(long id, String leaseOwner, Integer httpStatus, String reason, Instant next, int attempt)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("""
                     UPDATE status_outbox SET attempts = attempts + ?, next_attempt_at = ?,
                         last_http_status = COALESCE(?, last_http_status), last_error = ?,
                         lease_owner = ?, lease_until = ?
                     WHERE id = ? AND lease_owner = ? AND outcome = 'pending'""")) {
            update.setInt(1, attempt);
            update.setTimestamp(2, Timestamp.from(next));
            update.setObject(3, httpStatus, java.sql.Types.INTEGER);
            update.setString(4, cut(reason));
            update.setString(5, UNCONFIRMED);
            update.setTimestamp(6, Timestamp.from(next));
            update.setLong(7, id);
            update.setString(8, leaseOwner);
            update.executeUpdate();
        }
    }

    private void update(long id, String leaseOwner, Integer httpStatus, String reason, Instant next, int attempt)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("""
                     UPDATE status_outbox SET attempts = attempts + ?, next_attempt_at = ?,
                         last_http_status = COALESCE(?, last_http_status), last_error = ?,
                         lease_owner = NULL, lease_until = NULL
                     WHERE id = ? AND lease_owner = ? AND outcome = 'pending'""")) {
            update.setInt(1, attempt);
            update.setTimestamp(2, Timestamp.from(next));
            update.setObject(3, httpStatus, java.sql.Types.INTEGER);
            update.setString(4, cut(reason));
            update.setLong(5, id);
            update.setString(6, leaseOwner);
            update.executeUpdate();
        }
    }

    private static boolean finish(Connection c, long id, String leaseOwner, String outcome, int httpStatus,
                                  String reason, Instant now) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("""
                UPDATE status_outbox SET outcome = ?, attempts = attempts + 1, last_http_status = ?, last_error = ?,
                    finished_at = ?, lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND lease_owner = ? AND outcome = 'pending'""")) {
            update.setString(1, outcome);
            update.setInt(2, httpStatus);
            update.setString(3, cut(reason));
            update.setTimestamp(4, Timestamp.from(now));
            update.setLong(5, id);
            update.setString(6, leaseOwner);
            return update.executeUpdate() == 1;
        }
    }

    private static String cut(String reason) {
        return reason == null || reason.length() <= 1000 ? reason : reason.substring(0, 999) + "…";
    }
}
