package dev.driftless.reconciler.app;

import dev.driftless.reconciler.reconcile.PreviewRecords.Preview;
import dev.driftless.reconciler.reconcile.PreviewSettings;
import dev.driftless.reconciler.reconcile.Previews;
import dev.driftless.reconciler.reconcile.Transactions;
import dev.driftless.status.PublishResult;
import dev.driftless.status.PullRequestComments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The one comment of a pull request listing its previews, kept in {@code preview_comments}. {@link #changed} (the
 * {@link Previews.Listener}) records the comment's new text in the transaction that recorded the previews and bumps
 * its revision; a thread of its own (never a Vert.x event loop: github-api blocks) delivers rows whose revision is
 * ahead of what GitHub shows, under a lease so replicas do not write the same comment twice, with backoff on
 * 5xx/network errors. The first delivery creates the comment (POST), later ones edit it by its stored id (PATCH),
 * and pushes in between coalesce into one edit of the newest text. A repository whose {@code .driftless.yml} says
 * {@code previews: {comment: false}} gets no comment (a comment written before it said so is left as it is).
 */
final class PreviewComments implements Previews.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewComments.class);
    /** Finds a comment a crash left unrecorded (GitHub does not show HTML comments). */
    static final String MARKER = "<!-- driftless:previews -->";
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final Duration BACKOFF_MAX = Duration.ofMinutes(10);

    private final Transactions store;
    private final PullRequestComments comments;
    private final Clock clock;
    private final String leaseOwner = "comments-" + UUID.randomUUID();
    private final Semaphore wake = new Semaphore(0);
    private final PreviewSettings settings = new PreviewSettings();
    private volatile boolean running;
    private Thread thread;

    PreviewComments(Transactions store, PullRequestComments comments, Clock clock) {
        this.store = store;
        this.comments = comments;
        this.clock = clock;
    }

    synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "driftless-preview-comments");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            wake.release();
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Override
    public void changed(Connection tx, String owner, String repository, int number, Optional<Long> installationId,
                        String commit, List<Preview> serving, List<String> failed, boolean closed) throws SQLException {
        if (!settings.find(tx, owner, repository).prComment()) {
            return; // the repository's .driftless.yml says previews: {comment: false}; its statuses still go out
        }
        String body = body(number, commit, serving, failed, closed);
        Instant now = clock.instant();
        try (PreparedStatement update = tx.prepareStatement("UPDATE preview_comments SET body = ?,"
                + " revision = revision + 1, installation_id = COALESCE(?, installation_id), attempts = 0,"
                + " next_attempt_at = ?, updated_at = ? WHERE owner = ? AND repository = ? AND pr_number = ?")) {
            update.setString(1, body);
            update.setObject(2, installationId.orElse(null), java.sql.Types.BIGINT);
            update.setObject(3, utc(now));
            update.setObject(4, utc(now));
            update.setString(5, owner);
            update.setString(6, repository);
            update.setInt(7, number);
            if (update.executeUpdate() > 0 || closed) {
                wake.release();
                return; // a PR closed before it ever had a comment gets none
            }
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO preview_comments (owner, repository, pr_number,"
                + " installation_id, body, revision, delivered_revision, comment_id, attempts, next_attempt_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?, 1, 0, NULL, 0, ?, ?)")) {
            insert.setString(1, owner);
            insert.setString(2, repository);
            insert.setInt(3, number);
            insert.setObject(4, installationId.orElse(null), java.sql.Types.BIGINT);
            insert.setString(5, body);
            insert.setObject(6, utc(now));
            insert.setObject(7, utc(now));
            insert.executeUpdate();
        }
        wake.release();
    }

    /** The comment's Markdown: one row per function with its preview URL and state. */
    static String body(int number, String commit, List<Preview> serving, List<String> failed, boolean closed) {
        StringBuilder text = new StringBuilder(MARKER).append('\n');
        if (closed) {
            return text.append("**Driftless previews** of #").append(number)
                    .append(" were removed: the pull request was closed.\n").toString();
        }
        text.append("**Driftless previews** of #").append(number).append(" at `")
                .append(commit, 0, Math.min(7, commit.length())).append("`\n\n")
                .append("| Function | Preview | State |\n|---|---|---|\n");
        for (Preview preview : serving) {
            String state = preview.commit().equals(commit) ? "deployed" : "deployed (`"
                    + preview.commit().substring(0, Math.min(7, preview.commit().length())) + "`)";
            text.append("| ").append(preview.function()).append(" | ").append(preview.url()).append(" | ")
                    .append(state).append(" |\n");
        }
        for (String why : failed) {
            text.append("| ").append(cell(why)).append(" | — | failed |\n");
        }
        if (serving.isEmpty() && failed.isEmpty()) {
            text.append("| — | — | no functions in stack.yml |\n");
        }
        return text.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace('\n', ' ');
    }

    private void run() {
        while (running) {
            try {
                deliverDue();
                wake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.warn("event=preview_comment_pass_failed error={}", e.toString());
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private record Due(String owner, String repository, int number, Long installationId, String body, long revision,
                       OptionalLong commentId, int attempts) { }

    /** Delivers every row whose text GitHub does not show yet; returns how many were written. */
    int deliverDue() throws SQLException {
        int written = 0;
        for (Due due : claim()) {
            PublishResult result = comments.write(new PullRequestComments.Comment(due.owner(), due.repository(),
                    due.installationId(), due.number(), due.commentId(), MARKER, due.body()));
            record(due, result);
            if (result instanceof PublishResult.Delivered) {
                written++;
            }
        }
        return written;
    }

    private List<Due> claim() throws SQLException {
        Instant now = clock.instant();
        return store.inTransaction(tx -> {
            List<Due> due = new ArrayList<>();
            try (PreparedStatement select = tx.prepareStatement("SELECT owner, repository, pr_number, installation_id,"
                    + " body, revision, comment_id, attempts FROM preview_comments WHERE revision > delivered_revision"
                    + " AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
                    + " ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED")) {
                select.setObject(1, utc(now));
                select.setObject(2, utc(now));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long installation = rows.getLong(4);
                        Long installationId = rows.wasNull() ? null : installation;
                        long id = rows.getLong(7);
                        OptionalLong commentId = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(id);
                        due.add(new Due(rows.getString(1), rows.getString(2), rows.getInt(3), installationId,
                                rows.getString(5), rows.getLong(6), commentId, rows.getInt(8)));
                    }
                }
            }
            try (PreparedStatement lease = tx.prepareStatement("UPDATE preview_comments SET lease_owner = ?,"
                    + " lease_until = ? WHERE owner = ? AND repository = ? AND pr_number = ?")) {
                for (Due d : due) {
                    lease.setString(1, leaseOwner);
                    lease.setObject(2, utc(now.plus(LEASE)));
                    lease.setString(3, d.owner());
                    lease.setString(4, d.repository());
                    lease.setInt(5, d.number());
                    lease.executeUpdate();
                }
            }
            return due;
        });
    }

    /** What GitHub answered; guarded by the lease so a sender that lost it changes nothing. */
    private void record(Due due, PublishResult result) throws SQLException {
        Instant now = clock.instant();
        store.inTransaction(tx -> {
            String sql;
            if (result instanceof PublishResult.Delivered delivered) {
                    // delivered_revision is what was sent: a newer revision written meanwhile stays due
                    sql = "UPDATE preview_comments SET delivered_revision = ?, comment_id = ?, attempts = 0,"
                            + " last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ?";
                    try (PreparedStatement update = tx.prepareStatement(sql + where())) {
                        update.setLong(1, due.revision());
                        update.setObject(2, delivered.checkRunId().isPresent() ? delivered.checkRunId().getAsLong()
                                : due.commentId().isPresent() ? due.commentId().getAsLong() : null, java.sql.Types.BIGINT);
                        update.setObject(3, utc(now));
                        bindKey(update, 4, due);
                        update.executeUpdate();
                    }
                    LOG.info("event=preview_comment_written owner={} repository={} pr={} revision={}", due.owner(),
                            due.repository(), due.number(), due.revision());
            } else if (result instanceof PublishResult.Refused refused) {
                    // GitHub will keep refusing this text: give it up (a later push writes a new revision)
                    sql = "UPDATE preview_comments SET delivered_revision = ?, last_error = ?, lease_owner = NULL,"
                            + " lease_until = NULL, updated_at = ?";
                    try (PreparedStatement update = tx.prepareStatement(sql + where())) {
                        update.setLong(1, due.revision());
                        update.setString(2, cut("HTTP " + refused.httpStatus() + ": " + refused.reason()));
                        update.setObject(3, utc(now));
                        bindKey(update, 4, due);
                        update.executeUpdate();
                    }
                    LOG.warn("event=preview_comment_refused owner={} repository={} pr={} status={} reason={}",
                            due.owner(), due.repository(), due.number(), refused.httpStatus(), refused.reason());
            } else if (result instanceof PublishResult.Retry retry) {
                retry(tx, due, retry.reason(), retry.notBefore(), now);
            } else if (result instanceof PublishResult.RateLimited limited) {
                retry(tx, due, limited.reason(), limited.until(), now);
            }
            return null;
        });
    }

    private void retry(Connection tx, Due due, String reason, Instant notBefore, Instant now) throws SQLException {
        Duration backoff = Duration.ofSeconds(1L << Math.min(due.attempts(), 9));
        Instant next = now.plus(backoff.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : backoff);
        if (notBefore != null && notBefore.isAfter(next)) {
            next = notBefore;
        }
        try (PreparedStatement update = tx.prepareStatement("UPDATE preview_comments SET attempts = attempts + 1,"
                + " next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?" + where())) {
            update.setObject(1, utc(next));
            update.setString(2, cut(reason));
            update.setObject(3, utc(now));
            bindKey(update, 4, due);
            update.executeUpdate();
        }
        LOG.info("event=preview_comment_retry owner={} repository={} pr={} reason={}", due.owner(), due.repository(),
                due.number(), reason);
    }

    private static String where() {
        return " WHERE owner = ? AND repository = ? AND pr_number = ? AND lease_owner = ?";
    }

    private void bindKey(PreparedStatement update, int from, Due due) throws SQLException {
        update.setString(from, due.owner());
        update.setString(from + 1, due.repository());
        update.setInt(from + 2, due.number());
        update.setString(from + 3, leaseOwner);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String cut(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 999) + "…";
    }
}
