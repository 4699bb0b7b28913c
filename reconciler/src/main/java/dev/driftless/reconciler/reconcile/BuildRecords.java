package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds (one reconcile of one commit), what each function did in them, and their log lines.
 * Methods work inside the caller's transaction.
 */
public final class BuildRecords {

    /** A build as the dashboard lists it. */
    public record BuildRecord(long id, String owner, String repository, String branch, String commit, String trigger,
                              String state, String reason, Instant startedAt, Optional<Instant> finishedAt) { }

    /** One function's result in a build. */
    public record FunctionResult(long buildId, String function, String outcome, String image, String reason,
                                 long durationMillis) { }

    public long start(Connection tx, String owner, String repository, String branch, String commit, String trigger,
                      Instant now) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO builds (owner, repository, branch, commit_sha, "
                + "trigger, state, reason, started_at) VALUES (?, ?, ?, ?, ?, 'running', '', ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, owner);
            insert.setString(2, repository);
            insert.setString(3, branch);
            insert.setString(4, commit);
            insert.setString(5, trigger);
            insert.setTimestamp(6, Timestamp.from(now));
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    public void finish(Connection tx, long buildId, String state, String reason, Instant now) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE builds SET state = ?, reason = ?, finished_at = ? WHERE id = ?")) {
            update.setString(1, state);
            update.setString(2, ReleaseHistory.truncate(reason, 1000));
            update.setTimestamp(3, Timestamp.from(now));
            update.setLong(4, buildId);
            update.executeUpdate();
        }
    }

    public void functionResult(Connection tx, FunctionResult result) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "DELETE FROM function_builds WHERE build_id = ? AND function_name = ?")) {
            delete.setLong(1, result.buildId());
            delete.setString(2, result.function());
            delete.executeUpdate();
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO function_builds (build_id, function_name, "
                + "outcome, image, reason, duration_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, result.buildId());
            insert.setString(2, result.function());
            insert.setString(3, result.outcome());
            insert.setString(4, result.image());
            insert.setString(5, ReleaseHistory.truncate(result.reason(), 1000));
            insert.setLong(6, result.durationMillis());
            insert.executeUpdate();
        }
    }

    public Optional<BuildRecord> find(Connection tx, long buildId) throws SQLException {
        List<BuildRecord> found = builds(tx, "WHERE id = ?", buildId);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The newest builds of a repository, newest first. */
    public List<BuildRecord> recent(Connection tx, String owner, String repository, int limit) throws SQLException {
        return builds(tx, "WHERE owner = ? AND repository = ? ORDER BY id DESC LIMIT " + Math.max(1, limit),
                owner, repository);
    }

    /** The newest build of a repository that finished successfully. */
    public Optional<BuildRecord> lastSucceeded(Connection tx, String owner, String repository) throws SQLException {
        List<BuildRecord> found = builds(tx, "WHERE owner = ? AND repository = ? AND state = 'succeeded' "
                + "ORDER BY id DESC LIMIT 1", owner, repository);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Builds still marked running: left over from a crash; the reconcile that resumes them marks them. */
    public List<BuildRecord> running(Connection tx, String owner, String repository) throws SQLException {
        return builds(tx, "WHERE owner = ? AND repository = ? AND state = 'running'", owner, repository);
    }

    public List<FunctionResult> functionResults(Connection tx, long buildId) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT function_name, outcome, image, reason, duration_ms "
                + "FROM function_builds WHERE build_id = ? ORDER BY function_name")) {
            query.setLong(1, buildId);
            try (ResultSet rows = query.executeQuery()) {
                List<FunctionResult> results = new ArrayList<>();
                while (rows.next()) {
                    results.add(new FunctionResult(buildId, rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getLong(5)));
                }
                return results;
            }
        }
    }

    /** The newest build in which the function took part, if any. */
    public Optional<Long> latestBuildOf(Connection tx, String owner, String function) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT MAX(b.id) FROM builds b JOIN function_builds f "
                + "ON f.build_id = b.id WHERE b.owner = ? AND f.function_name = ?")) {
            query.setString(1, owner);
            query.setString(2, function);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                long id = rows.getLong(1);
                return rows.wasNull() ? Optional.empty() : Optional.of(id);
            }
        }
    }

    /** Log lines of a build for one function ('' = the whole build), from line {@code fromSeq} on. */
    public List<String> logLines(Connection tx, long buildId, String function, int fromSeq, int limit)
            throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT line FROM build_log_lines WHERE build_id = ? "
                + "AND function_name = ? AND seq >= ? ORDER BY seq LIMIT " + Math.max(1, limit))) {
            query.setLong(1, buildId);
            query.setString(2, function);
            query.setInt(3, fromSeq);
            try (ResultSet rows = query.executeQuery()) {
                List<String> lines = new ArrayList<>();
                while (rows.next()) {
                    lines.add(rows.getString(1));
                }
                return lines;
            }
        }
    }

    void appendLines(Connection tx, long buildId, String function, int firstSeq, List<String> lines)
            throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement(
                "INSERT INTO build_log_lines (build_id, function_name, seq, line) VALUES (?, ?, ?, ?)")) {
            int seq = firstSeq;
            for (String line : lines) {
                insert.setLong(1, buildId);
                insert.setString(2, function);
                insert.setInt(3, seq++);
                insert.setString(4, ReleaseHistory.truncate(line, 4000));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private List<BuildRecord> builds(Connection tx, String where, Object... params) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT id, owner, repository, branch, commit_sha, trigger, "
                + "state, reason, started_at, finished_at FROM builds " + where)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                List<BuildRecord> records = new ArrayList<>();
                while (rows.next()) {
                    Timestamp finished = rows.getTimestamp(10);
                    records.add(new BuildRecord(rows.getLong(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getString(5).trim(), rows.getString(6), rows.getString(7),
                            rows.getString(8), rows.getTimestamp(9).toInstant(),
                            Optional.ofNullable(finished).map(Timestamp::toInstant)));
                }
                return records;
            }
        }
    }
}
