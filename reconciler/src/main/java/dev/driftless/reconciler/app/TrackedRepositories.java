package dev.driftless.reconciler.app;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the repositories intake recorded. In the caller's transaction. */
final class TrackedRepositories {

    /** A repository the daemon serves (or served: {@code active} is false once removed). */
    record Tracked(String owner, String name, String source, String cloneUrl, Optional<String> defaultBranch,
                   Optional<Long> installationId, boolean active, boolean suspended) {
        boolean fromGitHub() {
            return "github".equals(source);
        }
    }

    private static final String COLUMNS =
            "owner, name, source, clone_url, default_branch, installation_id, active, suspended";

    Optional<Tracked> find(Connection tx, String owner, String name) throws SQLException {
        List<Tracked> found = query(tx, "WHERE owner = ? AND name = ?", owner, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Active, not suspended: what the periodic resync visits. */
    List<Tracked> resyncable(Connection tx) throws SQLException {
        return query(tx, "WHERE active = TRUE AND suspended = FALSE ORDER BY owner, name");
    }

    List<Tracked> all(Connection tx) throws SQLException {
        return query(tx, "ORDER BY owner, name");
    }

    private List<Tracked> query(Connection tx, String where, Object... params) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT " + COLUMNS + " FROM repositories " + where)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                List<Tracked> repositories = new ArrayList<>();
                while (rows.next()) {
                    long installation = rows.getLong(6);
                    Optional<Long> installationId = rows.wasNull() ? Optional.empty() : Optional.of(installation);
                    repositories.add(new Tracked(rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), Optional.ofNullable(rows.getString(5)), installationId,
                            rows.getBoolean(7), rows.getBoolean(8)));
                }
                return repositories;
            }
        }
    }
}
