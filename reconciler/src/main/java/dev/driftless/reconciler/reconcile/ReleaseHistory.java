package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The numbered releases of each function, as Helm and Heroku keep them. Every method works inside
 * the caller's transaction.
 */
public final class ReleaseHistory {

    private static final String COLUMNS = "owner, function_name, number, repository, commit_sha, image, spec_json, "
            + "source, rollback_of, build_id, result, reason, created_at";

    /** Records a new release with the next number for the function; its result starts as pending. */
    public Release add(Connection tx, String owner, String function, String repository, String commit, String image,
                       String specJson, Release.Source source, Optional<Integer> rollbackOf, Optional<Long> buildId,
                       Instant now) throws SQLException {
        int number = latest(tx, owner, function).map(r -> r.number() + 1).orElse(1);
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO releases (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, owner);
            insert.setString(2, function);
            insert.setInt(3, number);
            insert.setString(4, repository);
            insert.setString(5, commit);
            insert.setString(6, image);
            insert.setString(7, specJson);
            insert.setString(8, source.name().toLowerCase(Locale.ROOT));
            if (rollbackOf.isPresent()) {
                insert.setInt(9, rollbackOf.get());
            } else {
                insert.setNull(9, Types.INTEGER);
            }
            if (buildId.isPresent()) {
                insert.setLong(10, buildId.get());
            } else {
                insert.setNull(10, Types.BIGINT);
            }
            insert.setString(11, "pending");
            insert.setString(12, "");
            insert.setTimestamp(13, Timestamp.from(now));
            insert.executeUpdate();
        }
        return new Release(owner, function, number, repository, commit, image, specJson, source, rollbackOf, buildId,
                Release.Result.PENDING, "", now);
    }

    public void markResult(Connection tx, Release release, Release.Result result, String reason) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE releases SET result = ?, reason = ? WHERE owner = ? AND function_name = ? AND number = ?")) {
            update.setString(1, result.name().toLowerCase(Locale.ROOT));
            update.setString(2, truncate(reason, 1000));
            update.setString(3, release.owner());
            update.setString(4, release.function());
            update.setInt(5, release.number());
            update.executeUpdate();
        }
    }

    public Optional<Release> find(Connection tx, String owner, String function, int number) throws SQLException {
        return one(tx, "SELECT " + COLUMNS + " FROM releases WHERE owner = ? AND function_name = ? AND number = ?",
                owner, function, number);
    }

    public Optional<Release> latest(Connection tx, String owner, String function) throws SQLException {
        return one(tx, "SELECT " + COLUMNS + " FROM releases WHERE owner = ? AND function_name = ? "
                + "ORDER BY number DESC LIMIT 1", owner, function);
    }

    /** The release that serves traffic: the newest one whose rollout succeeded. */
    public Optional<Release> current(Connection tx, String owner, String function) throws SQLException {
        return one(tx, "SELECT " + COLUMNS + " FROM releases WHERE owner = ? AND function_name = ? AND result = 'deployed' "
                + "ORDER BY number DESC LIMIT 1", owner, function);
    }

    /** Newest first. */
    public List<Release> history(Connection tx, String owner, String function, int limit) throws SQLException {
        return many(tx, "SELECT " + COLUMNS + " FROM releases WHERE owner = ? AND function_name = ? "
                + "ORDER BY number DESC LIMIT " + Math.max(1, limit), owner, function);
    }

    /** The serving release of every managed function: what a restarted runtime starts and every replica routes. */
    public List<Release> allCurrent(Connection tx) throws SQLException {
        // From the managed functions (one row each, so a pruned function or one whose repository left is not
        // here) to their newest deployed release by primary key: every replica runs this every few seconds,
        // and scanning the whole release history instead took 10 times as long with 50 releases a function.
        String columns = "r." + COLUMNS.replace(", ", ", r.");
        return many(tx, "SELECT " + columns + " FROM function_conditions c JOIN releases r ON r.owner = c.owner "
                + "AND r.function_name = c.function_name AND r.repository = c.repository "
                + "WHERE r.result = 'deployed' AND r.number = (SELECT MAX(x.number) FROM releases x "
                + "WHERE x.owner = c.owner AND x.function_name = c.function_name AND x.result = 'deployed') "
                + "ORDER BY r.owner, r.function_name");
    }

    private Optional<Release> one(Connection tx, String sql, Object... params) throws SQLException {
        List<Release> all = many(tx, sql, params);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private List<Release> many(Connection tx, String sql, Object... params) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                List<Release> releases = new ArrayList<>();
                while (rows.next()) {
                    releases.add(read(rows));
                }
                return releases;
            }
        }
    }

    private static Release read(ResultSet row) throws SQLException {
        int rollbackOf = row.getInt("rollback_of");
        Optional<Integer> rollback = row.wasNull() ? Optional.empty() : Optional.of(rollbackOf);
        long buildId = row.getLong("build_id");
        Optional<Long> build = row.wasNull() ? Optional.empty() : Optional.of(buildId);
        return new Release(
                row.getString("owner"),
                row.getString("function_name"),
                row.getInt("number"),
                row.getString("repository"),
                row.getString("commit_sha").trim(),
                row.getString("image"),
                row.getString("spec_json"),
                Release.Source.valueOf(row.getString("source").toUpperCase(Locale.ROOT)),
                rollback,
                build,
                Release.Result.valueOf(row.getString("result").toUpperCase(Locale.ROOT)),
                row.getString("reason"),
                row.getTimestamp("created_at").toInstant());
    }

    static String truncate(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
