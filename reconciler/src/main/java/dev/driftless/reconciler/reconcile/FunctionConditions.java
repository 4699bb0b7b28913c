package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Stores each function's conditions and its events; methods work in the caller's transaction. */
public final class FunctionConditions {

    public void put(Connection tx, FunctionCondition condition) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "DELETE FROM function_conditions WHERE owner = ? AND function_name = ?")) {
            delete.setString(1, condition.owner());
            delete.setString(2, condition.function());
            delete.executeUpdate();
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO function_conditions (owner, function_name, "
                + "repository, ready, reason, message, reconciling, stalled, stalled_input, current_release, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, condition.owner());
            insert.setString(2, condition.function());
            insert.setString(3, condition.repository());
            insert.setString(4, condition.ready().name());
            insert.setString(5, condition.reason().name());
            insert.setString(6, condition.message());
            insert.setBoolean(7, condition.reconciling());
            insert.setBoolean(8, condition.stalled());
            insert.setString(9, condition.stalledInput().orElse(null));
            if (condition.currentRelease().isPresent()) {
                insert.setInt(10, condition.currentRelease().get());
            } else {
                insert.setNull(10, Types.INTEGER);
            }
            insert.setTimestamp(11, Timestamp.from(condition.updatedAt()));
            insert.executeUpdate();
        }
    }

    public Optional<FunctionCondition> get(Connection tx, String owner, String function) throws SQLException {
        List<FunctionCondition> found = query(tx, "WHERE owner = ? AND function_name = ?", owner, function);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    public List<FunctionCondition> forOwner(Connection tx, String owner) throws SQLException {
        return query(tx, "WHERE owner = ? ORDER BY function_name", owner);
    }

    public List<FunctionCondition> forRepository(Connection tx, String owner, String repository) throws SQLException {
        return query(tx, "WHERE owner = ? AND repository = ? ORDER BY function_name", owner, repository);
    }

    public void remove(Connection tx, String owner, String function) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "DELETE FROM function_conditions WHERE owner = ? AND function_name = ?")) {
            delete.setString(1, owner);
            delete.setString(2, function);
            delete.executeUpdate();
        }
    }

    /** Records an event a person reads on the dashboard. Only real changes are events. */
    public void event(Connection tx, String owner, String function, Reason reason, String message, java.time.Instant at)
            throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO function_events "
                + "(owner, function_name, reason, message, created_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, owner);
            insert.setString(2, function);
            insert.setString(3, reason.name());
            insert.setString(4, ReleaseHistory.truncate(message, 1000));
            insert.setTimestamp(5, Timestamp.from(at));
            insert.executeUpdate();
        }
    }

    public List<FunctionEvent> events(Connection tx, String owner, String function, int limit) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT reason, message, created_at FROM function_events "
                + "WHERE owner = ? AND function_name = ? ORDER BY id DESC LIMIT " + Math.max(1, limit))) {
            query.setString(1, owner);
            query.setString(2, function);
            try (ResultSet rows = query.executeQuery()) {
                List<FunctionEvent> events = new ArrayList<>();
                while (rows.next()) {
                    events.add(new FunctionEvent(owner, function, Reason.valueOf(rows.getString(1)), rows.getString(2),
                            rows.getTimestamp(3).toInstant()));
                }
                return events;
            }
        }
    }

    /** One event of a function. */
    public record FunctionEvent(String owner, String function, Reason reason, String message, java.time.Instant at) { }

    private List<FunctionCondition> query(Connection tx, String where, Object... params) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT owner, function_name, repository, ready, reason, "
                + "message, reconciling, stalled, stalled_input, current_release, updated_at FROM function_conditions "
                + where)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                List<FunctionCondition> conditions = new ArrayList<>();
                while (rows.next()) {
                    int release = rows.getInt(10);
                    Optional<Integer> current = rows.wasNull() ? Optional.empty() : Optional.of(release);
                    conditions.add(new FunctionCondition(rows.getString(1), rows.getString(2), rows.getString(3),
                            FunctionCondition.Ready.valueOf(rows.getString(4)), Reason.valueOf(rows.getString(5)),
                            rows.getString(6), rows.getBoolean(7), rows.getBoolean(8),
                            Optional.ofNullable(rows.getString(9)), current, rows.getTimestamp(11).toInstant()));
                }
                return conditions;
            }
        }
    }
}
