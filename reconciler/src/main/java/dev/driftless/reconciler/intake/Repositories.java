package dev.driftless.reconciler.intake;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code repositories} and {@code installations} tables, inside the caller's transaction. */
final class Repositories {

    /** A repository as intake knows it; {@code defaultBranch} is unknown for repositories only seen in installation events. */
    record Known(String owner, String name, String source, String cloneUrl, Optional<String> defaultBranch,
                 Optional<Long> installationId, Optional<Long> githubId) { }

    /** Inserts or updates; an unknown default branch or installation does not overwrite a known one. */
    void upsert(Connection tx, Known repo, boolean active, OffsetDateTime now) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("UPDATE repositories SET source = ?, clone_url = ?,"
                + " default_branch = COALESCE(?, default_branch), installation_id = COALESCE(?, installation_id),"
                + " github_id = COALESCE(?, github_id), active = ?, updated_at = ? WHERE owner = ? AND name = ?")) {
            update.setString(1, repo.source());
            update.setString(2, repo.cloneUrl());
            update.setString(3, repo.defaultBranch().orElse(null));
            setLong(update, 4, repo.installationId());
            setLong(update, 5, repo.githubId());
            update.setBoolean(6, active);
            update.setObject(7, now);
            update.setString(8, repo.owner());
            update.setString(9, repo.name());
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO repositories (owner, name, source, clone_url,"
                + " default_branch, installation_id, github_id, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT DO NOTHING")) {
            insert.setString(1, repo.owner());
            insert.setString(2, repo.name());
            insert.setString(3, repo.source());
            insert.setString(4, repo.cloneUrl());
            insert.setString(5, repo.defaultBranch().orElse(null));
            setLong(insert, 6, repo.installationId());
            setLong(insert, 7, repo.githubId());
            insert.setBoolean(8, active);
            insert.setObject(9, now);
            insert.executeUpdate();
        }
    }

    void deactivate(Connection tx, String owner, String name, OffsetDateTime now) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE repositories SET active = FALSE, updated_at = ? WHERE owner = ? AND name = ?")) {
            update.setObject(1, now);
            update.setString(2, owner);
            update.setString(3, name);
            update.executeUpdate();
        }
    }

    /** owner/name of the active repositories of an installation. */
    List<String[]> ofInstallation(Connection tx, long installationId) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement(
                "SELECT owner, name FROM repositories WHERE installation_id = ? AND active = TRUE ORDER BY owner, name")) {
            q.setLong(1, installationId);
            try (ResultSet rows = q.executeQuery()) {
                List<String[]> names = new ArrayList<>();
                while (rows.next()) {
                    names.add(new String[] {rows.getString(1), rows.getString(2)});
                }
                return names;
            }
        }
    }

    Optional<String> defaultBranch(Connection tx, String owner, String name) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT default_branch FROM repositories WHERE owner = ? AND name = ?")) {
            q.setString(1, owner);
            q.setString(2, name);
            try (ResultSet rows = q.executeQuery()) {
                return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
            }
        }
    }

    void installation(Connection tx, long id, String account, String accountType, String state, OffsetDateTime now)
            throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE installations SET account = ?, account_type = ?, state = ?, updated_at = ? WHERE id = ?")) {
            update.setString(1, account);
            update.setString(2, accountType);
            update.setString(3, state);
            update.setObject(4, now);
            update.setLong(5, id);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO installations (id, account, account_type, state,"
                + " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setLong(1, id);
            insert.setString(2, account);
            insert.setString(3, accountType);
            insert.setString(4, state);
            insert.setObject(5, now);
            insert.executeUpdate();
        }
    }

    private static void setLong(PreparedStatement s, int index, Optional<Long> value) throws SQLException {
        if (value.isPresent()) {
            s.setLong(index, value.get());
        } else {
            s.setNull(index, Types.BIGINT);
        }
    }
}
