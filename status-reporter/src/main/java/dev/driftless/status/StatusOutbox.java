package dev.driftless.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The transactional outbox of statuses (tables from {@code db/migration/V100__status_outbox.sql}).
 *
 * <p>{@link #enqueue} runs in the caller's transaction, so a status exists exactly when the state change
 * that caused it was committed. It (1) drops the status if a newer commit of the same branch already
 * reported on the context ({@code status_heads}, ordered by {@link CommitStatus#commitSequence()});
 * (2) skips it if the same (sha, context) already has that state and description ({@code commit_statuses});
 * (3) records it as the latest state of (sha, context), read by dashboards and badges; (4) for GitHub
 * targets, adds a row to {@code status_outbox} that {@link StatusSender} delivers. Concurrent enqueues for
 * the same branch and context serialize on the {@code status_heads} row lock.
 */
public final class StatusOutbox implements BadgeStates {
    private final DataSource dataSource;
    private final Clock clock;

    public StatusOutbox(DataSource dataSource) {
        this(dataSource, Clock.systemUTC());
    }

    public StatusOutbox(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records {@code status} inside the caller's open transaction {@code tx}; neither commits nor closes it. */
    public EnqueueResult enqueue(Connection tx, CommitStatus status) throws SQLException {
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(status, "status");
        Timestamp now = Timestamp.from(clock.instant());
        if (!advanceHead(tx, status, now)) {
            return EnqueueResult.SUPERSEDED;
        }
        if (!recordLatest(tx, status, now)) {
            return EnqueueResult.DUPLICATE;
        }
        if (status.target() == CommitStatus.Target.LOCAL) {
            return EnqueueResult.RECORDED_LOCAL;
        }
        insertOutboxRow(tx, status, now);
        return EnqueueResult.QUEUED;
    }

    private static void insertOutboxRow(Connection tx, CommitStatus status, Timestamp now) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                INSERT INTO status_outbox (owner, repo, sha, context, branch, commit_sequence, state, description,
                    target_url, installation_id, summary, log_text, outcome, attempts, next_attempt_at, enqueued_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)""")) {
            insert.setString(1, status.owner());
            insert.setString(2, status.repo());
            insert.setString(3, status.sha());
            insert.setString(4, status.context());
            insert.setString(5, status.branch());
            insert.setLong(6, status.commitSequence());
            insert.setString(7, status.state().apiValue());
            insert.setString(8, status.description());
            insert.setString(9, status.targetUrl());
            insert.setObject(10, status.installationId(), java.sql.Types.BIGINT);
            insert.setString(11, status.summary());
            insert.setString(12, status.log());
            insert.setTimestamp(13, now);
            insert.setTimestamp(14, now);
            insert.executeUpdate();
        }
    }

    /** Convenience for callers without a transaction of their own: enqueue in a new one and commit it. */
    public EnqueueResult enqueue(CommitStatus status) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean auto = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                EnqueueResult result = enqueue(connection, status);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(auto);
            }
        }
    }

    /** False if a newer commit already reported on this (owner, repo, branch, context). */
    private boolean advanceHead(Connection tx, CommitStatus s, Timestamp now) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                INSERT INTO status_heads (owner, repo, branch, context, commit_sequence, sha, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            insert.setString(1, s.owner());
            insert.setString(2, s.repo());
            insert.setString(3, s.branch());
            insert.setString(4, s.context());
            insert.setLong(5, s.commitSequence());
            insert.setString(6, s.sha());
            insert.setTimestamp(7, now);
            if (insert.executeUpdate() == 1) {
                return true;
            }
        }
        long known;
        String knownSha;
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT commit_sequence, sha FROM status_heads
                WHERE owner = ? AND repo = ? AND branch = ? AND context = ? FOR UPDATE""")) {
            select.setString(1, s.owner());
            select.setString(2, s.repo());
            select.setString(3, s.branch());
            select.setString(4, s.context());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("status_heads row vanished while enqueueing; retry the transaction");
                }
                known = rs.getLong(1);
                knownSha = rs.getString(2);
            }
        }
        if (s.commitSequence() < known) {
            return false;
        }
        if (s.commitSequence() > known) {
            if (!knownSha.equals(s.sha())) {
                settleReplaced(tx, s, knownSha, now);
            }
            try (PreparedStatement update = tx.prepareStatement("""
                    UPDATE status_heads SET commit_sequence = ?, sha = ?, updated_at = ?
                    WHERE owner = ? AND repo = ? AND branch = ? AND context = ?""")) {
                update.setLong(1, s.commitSequence());
                update.setString(2, s.sha());
                update.setTimestamp(3, now);
                update.setString(4, s.owner());
                update.setString(5, s.repo());
                update.setString(6, s.branch());
                update.setString(7, s.context());
                update.executeUpdate();
            }
        }
        return true;
    }

    /**
     * The commit {@code s} replaces as the branch's head on this context may still be pending (its job was cut off
     * by a crash and then superseded, or a stalled replica lost it): its own final status would now be dropped as
     * older, so it would stay pending on GitHub for good. It gets its final status here instead, once.
     */
    private void settleReplaced(Connection tx, CommitStatus s, String replacedSha, Timestamp now) throws SQLException {
        String targetUrl;
        String target;
        long sequence;
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT target_url, target, commit_sequence FROM commit_statuses
                WHERE owner = ? AND repo = ? AND sha = ? AND context = ? AND state = 'pending' FOR UPDATE""")) {
            select.setString(1, s.owner());
            select.setString(2, s.repo());
            select.setString(3, replacedSha);
            select.setString(4, s.context());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                targetUrl = rs.getString(1);
                target = rs.getString(2);
                sequence = rs.getLong(3);
            }
        }
        CommitStatus.Builder replaced = CommitStatus.builder()
                .repository(s.owner(), s.repo())
                .commit(replacedSha, s.branch(), sequence)
                .context(s.context())
                .state(CommitStatus.State.ERROR)
                .description("not finished: replaced by a newer commit of " + s.branch() + " ("
                        + s.sha().substring(0, Math.min(7, s.sha().length())) + ")")
                .targetUrl(targetUrl)
                .installationId(s.installationId());
        if (target.equals(CommitStatus.Target.LOCAL.name().toLowerCase())) {
            replaced.local();
        }
        CommitStatus settled = replaced.build();
        recordLatest(tx, settled, now);
        if (settled.target() != CommitStatus.Target.LOCAL) {
            insertOutboxRow(tx, settled, now);
        }
    }

    /** False if (sha, context) already has this state and description (nothing changed). */
    private static boolean recordLatest(Connection tx, CommitStatus s, Timestamp now) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                INSERT INTO commit_statuses (owner, repo, sha, context, branch, commit_sequence, state, description,
                    target_url, target, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            insert.setString(1, s.owner());
            insert.setString(2, s.repo());
            insert.setString(3, s.sha());
            insert.setString(4, s.context());
            insert.setString(5, s.branch());
            insert.setLong(6, s.commitSequence());
            insert.setString(7, s.state().apiValue());
            insert.setString(8, s.description());
            insert.setString(9, s.targetUrl());
            insert.setString(10, s.target().name().toLowerCase());
            insert.setTimestamp(11, now);
            if (insert.executeUpdate() == 1) {
                return true;
            }
        }
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT state, description FROM commit_statuses
                WHERE owner = ? AND repo = ? AND sha = ? AND context = ? FOR UPDATE""")) {
            select.setString(1, s.owner());
            select.setString(2, s.repo());
            select.setString(3, s.sha());
            select.setString(4, s.context());
            try (ResultSet rs = select.executeQuery()) {
                if (rs.next() && rs.getString(1).equals(s.state().apiValue()) && rs.getString(2).equals(s.description())) {
                    return false;
                }
            }
        }
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE commit_statuses SET state = ?, description = ?, target_url = ?, target = ?, branch = ?,
                    commit_sequence = ?, updated_at = ?
                WHERE owner = ? AND repo = ? AND sha = ? AND context = ?""")) {
            update.setString(1, s.state().apiValue());
            update.setString(2, s.description());
            update.setString(3, s.targetUrl());
            update.setString(4, s.target().name().toLowerCase());
            update.setString(5, s.branch());
            update.setLong(6, s.commitSequence());
            update.setTimestamp(7, now);
            update.setString(8, s.owner());
            update.setString(9, s.repo());
            update.setString(10, s.sha());
            update.setString(11, s.context());
            update.executeUpdate();
        }
        return true;
    }

    /**
     * The latest state per context of the repository's newest commit (highest commit sequence; on a tie
     * the most recently updated); empty for an unknown repository.
     */
    public Map<String, LatestStatus> latestStates(String owner, String repo) throws SQLException {
        Map<String, LatestStatus> states = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     SELECT sha, branch, context, state, description, target_url, updated_at FROM commit_statuses
                     WHERE owner = ? AND repo = ? AND sha = (
                         SELECT sha FROM commit_statuses WHERE owner = ? AND repo = ?
                         ORDER BY commit_sequence DESC, updated_at DESC LIMIT 1)
                     ORDER BY context""")) {
            select.setString(1, owner);
            select.setString(2, repo);
            select.setString(3, owner);
            select.setString(4, repo);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    LatestStatus status = new LatestStatus(rs.getString(1), rs.getString(2), rs.getString(3),
                            CommitStatus.State.fromApiValue(rs.getString(4)), rs.getString(5), rs.getString(6),
                            rs.getTimestamp(7).toInstant());
                    states.put(status.context(), status);
                }
            }
        }
        return states;
    }

    @Override
    public Optional<CommitStatus.State> latestState(String owner, String repo, String context) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     SELECT state FROM commit_statuses WHERE owner = ? AND repo = ? AND context = ?
                     ORDER BY commit_sequence DESC, updated_at DESC LIMIT 1""")) {
            select.setString(1, owner);
            select.setString(2, repo);
            select.setString(3, context);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(CommitStatus.State.fromApiValue(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the latest status of " + owner + "/" + repo + " " + context, e);
        }
    }

    Instant now() {
        return clock.instant();
    }
}
