package dev.driftless.reconciler.queue;

import dev.driftless.reconciler.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The durable job queue, in the store.
 *
 * <p>Claiming: a worker takes the oldest due job with a lease ({@code lease_until}); a job whose lease
 * expired (its worker crashed) is due again. On PostgreSQL the candidate row is taken with
 * {@code FOR UPDATE SKIP LOCKED}; on H2 the claim is a conditional {@code UPDATE … WHERE state = …} whose
 * update count says who won. On both, the key's {@code job_keys} row is locked during claim, enqueue and
 * completion, so these serialize per key while different keys proceed in parallel.
 *
 * <p>Newest wins: each enqueue of a key takes the next per-key sequence; while a job is queued, newer
 * requests fold into it; a completed job records its sequence, and a job whose sequence is not newer
 * than that, or that has a newer job beside it, is marked {@code superseded} instead of running.
 * At most one job of a repository runs at a time, whatever its kind (reconcile, gc, rollback, suspend): a claim
 * also locks the repository's {@code job_keys} row and skips a job whose repository has one running, so that
 * on several replicas one at a time acts on a repository.
 */
public final class JobQueue {
    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
    private static final int MAX_ERROR = 2000;

    private final Database db;
    private final Clock clock;
    private final Duration lease;
    private final Backoff backoff;
    private final HandBacks handBacks;

    public JobQueue(Database db, Clock clock, Duration lease, Backoff backoff) {
        this(db, clock, lease, backoff, HandBacks.standard());
    }

    public JobQueue(Database db, Clock clock, Duration lease, Backoff backoff, HandBacks handBacks) {
        if (lease.toMillis() < 1000) {
            throw new IllegalArgumentException("a lease shorter than 1s would expire under a busy worker");
        }
        this.db = db;
        this.clock = clock;
        this.lease = lease;
        this.backoff = backoff;
        this.handBacks = handBacks;
    }

    public Duration lease() {
        return lease;
    }

    /** Enqueues in its own transaction. */
    public Enqueued enqueue(JobRequest request) throws SQLException {
        return db.inTransaction(tx -> enqueue(tx, request));
    }

    /** Enqueues inside the caller's transaction: the job exists exactly when the caller's writes commit. */
    public Enqueued enqueue(Connection tx, JobRequest request) throws SQLException {
        String key = request.key();
        OffsetDateTime now = now();
        long seq = nextSeq(tx, key);
        Optional<Long> queued = queryLong(tx,
                "SELECT id FROM jobs WHERE job_key = ? AND state = 'queued' ORDER BY seq DESC LIMIT 1", key);
        if (queued.isPresent()) {
            try (PreparedStatement update = tx.prepareStatement("UPDATE jobs SET head_sha = ?, reason = ?, payload = ?,"
                    + " seq = ?, attempts = 0, handbacks = 0, run_after = ?, last_error = NULL, updated_at = ?"
                    + " WHERE id = ? AND state = 'queued'")) {
                update.setString(1, request.headSha().orElse(null));
                update.setString(2, request.reason().dbName());
                setText(update, 3, request.payload());
                update.setLong(4, seq);
                update.setObject(5, now);
                update.setObject(6, now);
                update.setLong(7, queued.get());
                if (update.executeUpdate() == 1) {
                    return new Enqueued(queued.get(), seq, true);
                }
            }
        }
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO jobs (kind, job_key, owner, repository, branch,"
                + " head_sha, reason, payload, seq, state, attempts, run_after, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)", new String[] {"id"})) {
            insert.setString(1, request.kind().dbName());
            insert.setString(2, key);
            insert.setString(3, request.owner());
            insert.setString(4, request.repository());
            insert.setString(5, request.branch().orElse(null));
            insert.setString(6, request.headSha().orElse(null));
            insert.setString(7, request.reason().dbName());
            setText(insert, 8, request.payload());
            insert.setLong(9, seq);
            insert.setObject(10, now);
            insert.setObject(11, now);
            insert.setObject(12, now);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return new Enqueued(keys.getLong(1), seq, false);
            }
        }
    }

    /** Takes the key's row lock (creating it first) and returns the key's next sequence. */
    private long nextSeq(Connection tx, String key) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement(
                "INSERT INTO job_keys (job_key, last_seq, completed_seq) VALUES (?, 0, 0) ON CONFLICT DO NOTHING")) {
            insert.setString(1, key);
            insert.executeUpdate();
        }
        try (PreparedStatement bump = tx.prepareStatement("UPDATE job_keys SET last_seq = last_seq + 1 WHERE job_key = ?")) {
            bump.setString(1, key);
            bump.executeUpdate();
        }
        return queryLong(tx, "SELECT last_seq FROM job_keys WHERE job_key = ?", key).orElseThrow();
    }

    /**
     * Claims the oldest due job for {@code worker}, or empty when none is due. Jobs found superseded on
     * the way are marked so and skipped; jobs whose key is busy (another worker runs the key) are left queued.
     */
    public Optional<Job> claim(String worker) throws SQLException {
        return claim(worker, EnumSet.allOf(JobKind.class));
    }

    /** Claims only jobs of {@code kinds}: a daemon without a handler for a kind leaves those jobs to one that has. */
    public Optional<Job> claim(String worker, Set<JobKind> kinds) throws SQLException {
        if (kinds.isEmpty()) {
            return Optional.empty();
        }
        Set<Long> skipped = new HashSet<>();
        for (int round = 0; round < 50; round++) {
            ClaimStep step = db.inTransaction(tx -> claimOnce(tx, worker, kinds, skipped));
            if (step instanceof ClaimStep.Claimed claimed) {
                return Optional.of(claimed.job());
            }
            if (step instanceof ClaimStep.Nothing) {
                return Optional.empty();
            }
            if (step instanceof ClaimStep.Skip skip) {
                skipped.add(skip.jobId());
            }
            // Superseded or lost a race: look again.
        }
        return Optional.empty();
    }

    private sealed interface ClaimStep {
        record Claimed(Job job) implements ClaimStep { }
        record Nothing() implements ClaimStep { }
        record Skip(long jobId) implements ClaimStep { }
        record Again() implements ClaimStep { }
    }

    private ClaimStep claimOnce(Connection tx, String worker, Set<JobKind> kinds, Set<Long> skipped) throws SQLException {
        OffsetDateTime now = now();
        boolean postgres = db.dialect() == Database.Dialect.POSTGRES;
        // Both lists are built from enum constants and longs, never from input: safe to inline.
        String exclude = (skipped.isEmpty() ? ""
                : " AND id NOT IN (" + skipped.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")")
                + (kinds.size() == JobKind.values().length ? ""
                : " AND kind IN (" + kinds.stream().map(k -> "'" + k.dbName() + "'").collect(Collectors.joining(",")) + ")");
        String due = "((state = 'queued' AND run_after <= ?) OR (state = 'running' AND lease_until < ?))";
        Candidate candidate;
        try (PreparedStatement select = tx.prepareStatement("SELECT id, job_key, seq, owner, repository FROM jobs WHERE " + due + exclude
                + " ORDER BY run_after, id LIMIT 1" + (postgres ? " FOR UPDATE SKIP LOCKED" : ""))) {
            select.setObject(1, now);
            select.setObject(2, now);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return new ClaimStep.Nothing();
                }
                candidate = new Candidate(rows.getLong(1), rows.getString(2), rows.getLong(3), rows.getString(4),
                        rows.getString(5));
            }
        }
        Optional<Long> completedSeq = lockKey(tx, candidate.key(), postgres);
        if (completedSeq.isEmpty()) {
            return new ClaimStep.Skip(candidate.id()); // another claimer or an enqueue holds the key right now
        }
        if (!postgres && !stillDue(tx, candidate, due, now)) {
            return new ClaimStep.Again(); // H2 read the candidate unlocked: another claimer took it meanwhile
        }
        if (candidate.seq() <= completedSeq.get() || newerExists(tx, candidate)) {
            supersede(tx, candidate.id(), now);
            return new ClaimStep.Again();
        }
        if (otherRunning(tx, candidate, now)) {
            return new ClaimStep.Skip(candidate.id());
        }
        // The repository's row: claimers of different keys of one repository serialize here.
        String repositoryKey = JobRequest.repositoryKey(candidate.owner(), candidate.repository());
        ensureKey(tx, repositoryKey);
        if (lockKey(tx, repositoryKey, postgres).isEmpty() || repositoryBusy(tx, candidate, now)) {
            return new ClaimStep.Skip(candidate.id());
        }
        try (PreparedStatement update = tx.prepareStatement("UPDATE jobs SET state = 'running', lease_owner = ?,"
                + " lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ? AND " + due)) {
            update.setString(1, worker);
            update.setObject(2, now.plus(lease));
            update.setObject(3, now);
            update.setLong(4, candidate.id());
            update.setObject(5, now);
            update.setObject(6, now);
            if (update.executeUpdate() != 1) {
                return new ClaimStep.Again(); // H2: someone else claimed it between our read and our update
            }
        }
        return new ClaimStep.Claimed(load(tx, candidate.id()).orElseThrow());
    }

    private record Candidate(long id, String key, long seq, String owner, String repository) { }

    private boolean repositoryBusy(Connection tx, Candidate c, OffsetDateTime now) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT COUNT(*) FROM jobs WHERE owner = ? AND repository = ?"
                + " AND id <> ? AND state = 'running' AND lease_until >= ?")) {
            q.setString(1, c.owner());
            q.setString(2, c.repository());
            q.setLong(3, c.id());
            q.setObject(4, now);
            return count(q) > 0;
        }
    }

    private static void ensureKey(Connection tx, String key) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement(
                "INSERT INTO job_keys (job_key, last_seq, completed_seq) VALUES (?, 0, 0) ON CONFLICT DO NOTHING")) {
            insert.setString(1, key);
            insert.executeUpdate();
        }
    }

    /** Re-reads the candidate under the key lock: still due, and still the same sequence. */
    private boolean stillDue(Connection tx, Candidate c, String due, OffsetDateTime now) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT COUNT(*) FROM jobs WHERE id = ? AND seq = ? AND " + due)) {
            q.setLong(1, c.id());
            q.setLong(2, c.seq());
            q.setObject(3, now);
            q.setObject(4, now);
            return count(q) == 1;
        }
    }

    /** Locks the key row; empty when it is locked by someone else (PostgreSQL: skip instead of waiting). */
    private Optional<Long> lockKey(Connection tx, String key, boolean skipLocked) throws SQLException {
        return queryLong(tx, "SELECT completed_seq FROM job_keys WHERE job_key = ? FOR UPDATE"
                + (skipLocked ? " SKIP LOCKED" : ""), key);
    }

    private boolean newerExists(Connection tx, Candidate c) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT COUNT(*) FROM jobs WHERE job_key = ? AND id <> ?"
                + " AND seq > ? AND state IN ('queued', 'running')")) {
            q.setString(1, c.key());
            q.setLong(2, c.id());
            q.setLong(3, c.seq());
            return count(q) > 0;
        }
    }

    private boolean otherRunning(Connection tx, Candidate c, OffsetDateTime now) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT COUNT(*) FROM jobs WHERE job_key = ? AND id <> ?"
                + " AND state = 'running' AND lease_until >= ?")) {
            q.setString(1, c.key());
            q.setLong(2, c.id());
            q.setObject(3, now);
            return count(q) > 0;
        }
    }

    private void supersede(Connection tx, long id, OffsetDateTime now) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("UPDATE jobs SET state = 'superseded', lease_owner = NULL,"
                + " lease_until = NULL, updated_at = ?, finished_at = ? WHERE id = ?")) {
            update.setObject(1, now);
            update.setObject(2, now);
            update.setLong(3, id);
            update.executeUpdate();
        }
        LOG.info("event=job.superseded job={}", id);
    }

    /** Extends the lease of a running job; false when the lease was lost (expired and claimed by another worker). */
    public boolean renew(Job job) throws SQLException {
        return db.inTransaction(tx -> {
            OffsetDateTime now = now();
            try (PreparedStatement update = tx.prepareStatement("UPDATE jobs SET lease_until = ?, updated_at = ?"
                    + " WHERE id = ? AND state = 'running' AND lease_owner = ?")) {
                update.setObject(1, now.plus(lease));
                update.setObject(2, now);
                update.setLong(3, job.id());
                update.setString(4, job.leaseOwner());
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Records what the handler said. Returns false (and changes nothing) when this worker no longer
     * holds the lease. A retry past the last attempt becomes a failure.
     */
    public boolean complete(Job job, JobResult result) throws SQLException {
        return db.inTransaction(tx -> {
            OffsetDateTime now = now();
            lockKey(tx, job.key(), false);
            if (result instanceof JobResult.HandBack handBack
                    && queryLong(tx, "SELECT handbacks FROM jobs WHERE id = ?", job.id()).orElse(0L) + 1 < handBacks.max()) {
                // Not an attempt: the claim's increment is taken back.
                try (PreparedStatement update = tx.prepareStatement("UPDATE jobs SET state = 'queued', lease_owner = NULL,"
                        + " lease_until = NULL, run_after = ?, attempts = attempts - 1, handbacks = handbacks + 1,"
                        + " last_error = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?")) {
                    update.setObject(1, now.plus(handBacks.nextDelay(ThreadLocalRandom.current()::nextDouble)));
                    update.setString(2, truncate("handed back: " + handBack.reason()));
                    update.setObject(3, now);
                    update.setLong(4, job.id());
                    update.setString(5, job.leaseOwner());
                    return update.executeUpdate() == 1;
                }
            }
            if (result instanceof JobResult.RetryLater retry && job.attempts() < backoff.maxAttempts()) {
                Duration delay = retry.after().orElseGet(() ->
                        backoff.delayAfter(job.attempts(), ThreadLocalRandom.current()::nextDouble));
                try (PreparedStatement update = tx.prepareStatement("UPDATE jobs SET state = 'queued', lease_owner = NULL,"
                        + " lease_until = NULL, run_after = ?, last_error = ?, updated_at = ?"
                        + " WHERE id = ? AND state = 'running' AND lease_owner = ?")) {
                    update.setObject(1, now.plus(delay));
                    update.setString(2, truncate(retry.reason()));
                    update.setObject(3, now);
                    update.setLong(4, job.id());
                    update.setString(5, job.leaseOwner());
                    return update.executeUpdate() == 1;
                }
            }
            String state;
            String error;
            if (result instanceof JobResult.Succeeded) {
                state = JobState.SUCCEEDED.dbName();
                error = null;
            } else if (result instanceof JobResult.Failed failed) {
                state = JobState.FAILED.dbName();
                error = failed.reason();
            } else if (result instanceof JobResult.HandBack handBack) {
                state = JobState.FAILED.dbName();
                error = "handed back " + handBacks.max() + " times and no replica that could run it claimed it: "
                        + handBack.reason();
            } else {
                state = JobState.FAILED.dbName();
                error = "gave up after " + job.attempts() + " attempts: " + ((JobResult.RetryLater) result).reason();
            }
            try (PreparedStatement update = tx.prepareStatement("UPDATE jobs SET state = ?, lease_owner = NULL,"
                    + " lease_until = NULL, last_error = ?, updated_at = ?, finished_at = ?"
                    + " WHERE id = ? AND state = 'running' AND lease_owner = ?")) {
                update.setString(1, state);
                update.setString(2, truncate(error));
                update.setObject(3, now);
                update.setObject(4, now);
                update.setLong(5, job.id());
                update.setString(6, job.leaseOwner());
                if (update.executeUpdate() != 1) {
                    return false;
                }
            }
            // It ran: nothing older of this key may run after it.
            try (PreparedStatement mark = tx.prepareStatement(
                    "UPDATE job_keys SET completed_seq = GREATEST(completed_seq, ?) WHERE job_key = ?")) {
                mark.setLong(1, job.seq());
                mark.setString(2, job.key());
                mark.executeUpdate();
            }
            try (PreparedStatement older = tx.prepareStatement("UPDATE jobs SET state = 'superseded', updated_at = ?,"
                    + " finished_at = ? WHERE job_key = ? AND seq < ? AND state = 'queued'")) {
                older.setObject(1, now);
                older.setObject(2, now);
                older.setString(3, job.key());
                older.setLong(4, job.seq());
                older.executeUpdate();
            }
            return true;
        });
    }

    /** One job as stored, with its state, for tests, the CLI and the API. */
    public record Stored(Job job, JobState state, Optional<String> lastError) { }

    public Optional<Stored> find(long id) throws SQLException {
        return db.inTransaction(tx -> {
            Optional<Job> job = load(tx, id);
            if (job.isEmpty()) {
                return Optional.empty();
            }
            try (PreparedStatement q = tx.prepareStatement("SELECT state, last_error FROM jobs WHERE id = ?")) {
                q.setLong(1, id);
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    return Optional.of(new Stored(job.get(), JobState.valueOf(rows.getString(1).toUpperCase()),
                            Optional.ofNullable(rows.getString(2))));
                }
            }
        });
    }

    /** Number of jobs in each state (every state present, zero when none), for /metrics. */
    public Map<JobState, Long> depthByState() throws SQLException {
        return db.inTransaction(tx -> {
            Map<JobState, Long> depth = new EnumMap<>(JobState.class);
            for (JobState state : JobState.values()) {
                depth.put(state, 0L);
            }
            try (PreparedStatement q = tx.prepareStatement("SELECT state, COUNT(*) FROM jobs GROUP BY state");
                 ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    depth.put(JobState.valueOf(rows.getString(1).toUpperCase()), rows.getLong(2));
                }
            }
            return depth;
        });
    }

    private Optional<Job> load(Connection tx, long id) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT id, kind, owner, repository, branch, head_sha, reason,"
                + " payload, job_key, seq, attempts, lease_owner FROM jobs WHERE id = ?")) {
            q.setLong(1, id);
            try (ResultSet r = q.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Job(r.getLong(1), JobKind.fromDb(r.getString(2)), r.getString(3), r.getString(4),
                        Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)),
                        JobReason.fromDb(r.getString(7)), Optional.ofNullable(r.getString(8)), r.getString(9),
                        r.getLong(10), r.getInt(11), r.getString(12)));
            }
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static Optional<Long> queryLong(Connection tx, String sql, long param) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement(sql)) {
            q.setLong(1, param);
            try (ResultSet rows = q.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    private static Optional<Long> queryLong(Connection tx, String sql, String param) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement(sql)) {
            q.setString(1, param);
            try (ResultSet rows = q.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    private static long count(PreparedStatement q) throws SQLException {
        try (ResultSet rows = q.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void setText(PreparedStatement statement, int index, Optional<String> text) throws SQLException {
        if (text.isPresent()) {
            statement.setString(index, text.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    private static String truncate(String text) {
        return text == null || text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR);
    }
}
