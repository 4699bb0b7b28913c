package dev.driftless.reconciler.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code previews} table: which preview functions run for which pull request or branch. */
public final class PreviewRecords {

    /** One deployed preview function. */
    public record Preview(String owner, String previewFunction, String repository, int number, String function,
                          String commit, String image, String url, String specJson, boolean withSecrets,
                          Instant updatedAt, java.util.Optional<String> branch) {

        /** The pull request or branch it previews. */
        public PreviewSource source() {
            return new PreviewSource(number, branch);
        }

        /** What the runtime runs for it (the release number is the PR number, 0 for a branch: no release history). */
        public dev.driftless.runtime.FunctionDeployment deployment() {
            return SpecJson.deployment(owner, Previews.previewRepository(repository, source()), previewFunction, image,
                    commit, number, specJson, withSecrets);
        }
    }

    public void put(Connection tx, Preview preview) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "DELETE FROM previews WHERE owner = ? AND preview_function = ?")) {
            delete.setString(1, preview.owner());
            delete.setString(2, preview.previewFunction());
            delete.executeUpdate();
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO previews (owner, preview_function, repository,"
                + " pr_number, function_name, commit_sha, image, url, spec_json, with_secrets, updated_at, branch)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, preview.owner());
            insert.setString(2, preview.previewFunction());
            insert.setString(3, preview.repository());
            insert.setInt(4, preview.number());
            insert.setString(5, preview.function());
            insert.setString(6, preview.commit());
            insert.setString(7, preview.image());
            insert.setString(8, preview.url());
            insert.setString(9, preview.specJson());
            insert.setBoolean(10, preview.withSecrets());
            insert.setTimestamp(11, Timestamp.from(preview.updatedAt()));
            insert.setString(12, preview.branch().orElse(null));
            insert.executeUpdate();
        }
    }

    public void remove(Connection tx, String owner, String previewFunction) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "DELETE FROM previews WHERE owner = ? AND preview_function = ?")) {
            delete.setString(1, owner);
            delete.setString(2, previewFunction);
            delete.executeUpdate();
        }
    }

    public List<Preview> ofPullRequest(Connection tx, String owner, String repository, int number) throws SQLException {
        return ofSource(tx, owner, repository, PreviewSource.pullRequest(number));
    }

    /** The previews of one pull request or branch. */
    public List<Preview> ofSource(Connection tx, String owner, String repository, PreviewSource source)
            throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("SELECT * FROM previews WHERE owner = ? AND repository = ?"
                + " AND pr_number = ? AND COALESCE(branch, '') = ? ORDER BY preview_function")) {
            select.setString(1, owner);
            select.setString(2, repository);
            select.setInt(3, source.number());
            select.setString(4, source.branch().orElse(""));
            return read(select);
        }
    }

    /** The preview of that name, whatever it previews (names are the owner's routes: one each). */
    public java.util.Optional<Preview> find(Connection tx, String owner, String previewFunction) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT * FROM previews WHERE owner = ? AND preview_function = ?")) {
            select.setString(1, owner);
            select.setString(2, previewFunction);
            return read(select).stream().findFirst();
        }
    }

    /** Every image a preview or a production release (any, since a rollback redeploys an old digest) refers to. */
    public java.util.Set<String> imagesInUse(Connection tx) throws SQLException {
        java.util.Set<String> images = new java.util.HashSet<>();
        try (PreparedStatement select = tx.prepareStatement("SELECT image FROM previews UNION SELECT image FROM releases");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                images.add(rows.getString(1));
            }
        }
        return images;
    }

    public List<Preview> all(Connection tx) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("SELECT * FROM previews ORDER BY owner, preview_function")) {
            return read(select);
        }
    }

    public List<Preview> ofOwner(Connection tx, String owner) throws SQLException {
        return query(tx, "SELECT * FROM previews WHERE owner = ? ORDER BY repository, pr_number, preview_function",
                owner, null, 0);
    }

    /** How many pull requests and branches of the owner other than {@code source} of the repository have previews. */
    public int otherSources(Connection tx, String owner, String repository, PreviewSource source) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("SELECT COUNT(*) FROM (SELECT DISTINCT repository, pr_number,"
                + " COALESCE(branch, '') AS b FROM previews WHERE owner = ?"
                + " AND NOT (repository = ? AND pr_number = ? AND COALESCE(branch, '') = ?)) prs")) {
            select.setString(1, owner);
            select.setString(2, repository);
            select.setInt(3, source.number());
            select.setString(4, source.branch().orElse(""));
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static List<Preview> query(Connection tx, String sql, String owner, String repository, int number)
            throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(sql)) {
            select.setString(1, owner);
            if (repository != null) {
                select.setString(2, repository);
                select.setInt(3, number);
            }
            return read(select);
        }
    }

    private static List<Preview> read(PreparedStatement select) throws SQLException {
        List<Preview> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                result.add(new Preview(rows.getString("owner"), rows.getString("preview_function"),
                        rows.getString("repository"), rows.getInt("pr_number"), rows.getString("function_name"),
                        rows.getString("commit_sha"), rows.getString("image"), rows.getString("url"),
                        rows.getString("spec_json"), rows.getBoolean("with_secrets"),
                        rows.getTimestamp("updated_at").toInstant(), java.util.Optional.ofNullable(rows.getString("branch"))));
            }
        }
        return result;
    }
}
