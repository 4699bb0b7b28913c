package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The {@code repository_previews} table: per repository, whether pushes of other branches to the built-in git
 * endpoint get previews (default off) and whether pull requests get the preview comment (default on, unless
 * {@code DRIFTLESS_PREVIEWS_COMMENT=false} turns it off everywhere). Written from the {@code previews:} key of the
 * {@code .driftless.yml} of each commit built for production.
 */
public final class PreviewSettings {

    /** A repository's switches. */
    public record Switches(boolean branchPreviews, boolean prComment) {
        public static final Switches DEFAULTS = new Switches(false, true);
    }

    public Switches find(Connection tx, String owner, String repository) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT branch_previews, pr_comment FROM repository_previews WHERE owner = ? AND repository = ?")) {
            select.setString(1, owner);
            select.setString(2, repository);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? new Switches(rows.getBoolean(1), rows.getBoolean(2)) : Switches.DEFAULTS;
            }
        }
    }

    public void put(Connection tx, String owner, String repository, Switches switches, Instant now) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "DELETE FROM repository_previews WHERE owner = ? AND repository = ?")) {
            delete.setString(1, owner);
            delete.setString(2, repository);
            delete.executeUpdate();
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO repository_previews (owner, repository,"
                + " branch_previews, pr_comment, updated_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, owner);
            insert.setString(2, repository);
            insert.setBoolean(3, switches.branchPreviews());
            insert.setBoolean(4, switches.prComment());
            insert.setTimestamp(5, Timestamp.from(now));
            insert.executeUpdate();
        }
    }
}
