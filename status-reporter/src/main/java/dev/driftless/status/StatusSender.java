package dev.driftless.status;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox to GitHub on one named thread of its own (never a Vert.x event loop): claims due
 * rows, publishes each, and records the outcome.
 * <ul>
 *   <li>5xx, 408, network errors: retried with exponential backoff and full jitter (never earlier than a
 *       {@code Retry-After}), up to {@code maxAttempts}, then failed with the last reason.</li>
 *   <li>Rate limits (primary: {@code X-RateLimit-Remaining: 0} until {@code X-RateLimit-Reset}; secondary:
 *       403/429 with {@code Retry-After}): every status that shares the token waits until the limit resets;
 *       waiting does not count as an attempt.</li>
 *   <li>4xx that will not change (404, 422, 401 after a token refresh …): failed at once with the reason.</li>
 * </ul>
 * Rows live in the database, so a new sender on the same database (a restart, another replica) delivers
 * whatever is left. A sender that dies after GitHub answered but before it recorded the answer leaves a row
 * still leased; whoever claims it when the lease runs out asks GitHub whether that status is already the newest
 * of its context on the commit, and sends it only if not (commit statuses: at most once, as long as GitHub can be
 * asked; check runs: at least once).
 */
public final class StatusSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusSender.class);

    private final OutboxStore store;
    private final StatusPublisher publisher;
    private final Clock clock;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final int maxAttempts;
    private final Duration pollInterval;
    private final AtomicLong passes = new AtomicLong();
    private final int batchSize;
    private final Duration lease;
    private final String threadName;
    private final String leaseOwner;
    private final Map<String, Instant> pausedUntil = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    private StatusSender(Builder b) {
        this.store = new OutboxStore(b.dataSource);
        this.publisher = b.publisher;
        this.clock = b.clock;
        this.backoffBase = b.backoffBase;
        this.backoffMax = b.backoffMax;
        this.maxAttempts = b.maxAttempts;
        this.pollInterval = b.pollInterval;
        this.batchSize = b.batchSize;
        this.lease = b.lease;
        this.threadName = b.threadName;
        this.leaseOwner = b.threadName + "-" + UUID.randomUUID();
    }

    public static Builder builder(DataSource dataSource, StatusPublisher publisher) {
        return new Builder(dataSource, publisher);
    }

    /** Starts the sender thread; a second call does nothing. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Sends now rather than at the next poll (call after committing a transaction that enqueued). */
    public void wakeUp() {
        wake.release();
    }

    /**
     * Stops after the call in flight (if any) has its answer recorded; rows claimed but not yet sent are
     * given back. Waits at most {@code timeout}, then interrupts the thread.
     */
    public void stop(Duration timeout) {
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
            running = false;
        }
        if (t == null) {
            return;
        }
        wake.release();
        try {
            t.join(Math.max(1, timeout.toMillis()));
            if (t.isAlive()) {
                t.interrupt();
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    public boolean isRunning() {
        return running;
    }

    /**
     * Passes over the outbox finished so far (each claims what is due and sends it, or finds nothing). A
     * test that must show something was <em>not</em> sent waits for more passes instead of sleeping.
     */
    public long passes() {
        return passes.get();
    }

    private void run() {
        LOG.info("status sender {} started", threadName);
        while (running) {
            try {
                int claimed = sendDueRows();
                passes.incrementAndGet();
                if (claimed == 0) {
                    idle();
                }
            } catch (SQLException | RuntimeException e) {
                passes.incrementAndGet();
                LOG.warn("status sender: outbox unavailable, trying again in {}: {}", pollInterval, e.toString());
                idle();
            }
        }
        LOG.info("status sender {} stopped", threadName);
    }

    private void idle() {
        try {
            if (wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** One pass over the due rows; returns how many were claimed. */
    int sendDueRows() throws SQLException {
        List<OutboxStore.Lease> leases = store.claim(leaseOwner, batchSize, clock.instant(), lease);
        List<OutboxStore.Lease> left = new ArrayList<>(leases);
        try {
            for (OutboxStore.Lease claimed : leases) {
                if (!running) {
                    break;
                }
                left.remove(claimed);
                sendOne(claimed.id(), claimed.inDoubt());
            }
        } finally {
            for (OutboxStore.Lease claimed : left) {
                store.release(claimed.id(), leaseOwner, claimed.inDoubt());
            }
        }
        return leases.size();
    }

    private void sendOne(long id, boolean inDoubt) throws SQLException {
        OutboxStore.Claimed row;
        try {
            row = store.renewAndLoad(id, leaseOwner, clock.instant(), lease);
        } catch (IllegalArgumentException e) {
            store.failed(id, leaseOwner, 0, "unreadable outbox row: " + e.getMessage(), clock.instant());
            return;
        }
        if (row == null) {
            return; // another sender took it over
        }
        CommitStatus status = row.status();
        String key = publisher.rateLimitKey(status);
        Instant paused = pausedUntil.get(key);
        if (paused != null && paused.isAfter(clock.instant())) {
            if (inDoubt) {
                store.unconfirmedUntil(id, leaseOwner, null, "waiting for the rate limit of " + key + " to reset", paused, 0);
            } else {
                store.postpone(id, leaseOwner, null, "waiting for the rate limit of " + key + " to reset", paused);
            }
            return;
        }
        if (inDoubt && !alreadyPublishedOrSend(row, key)) {
            return;
        }
        PublishResult result;
        try {
            result = publisher.publish(status, row.checkRunId());
        } catch (RuntimeException e) {
            result = new PublishResult.Retry(0, "unexpected error: " + e, null);
        }
        Instant now = clock.instant();
        String what = status.owner() + "/" + status.repo() + "@" + status.sha().substring(0, 7) + " " + status.context()
                + "=" + status.state().apiValue();
        if (result instanceof PublishResult.Delivered d) {
            store.delivered(row, leaseOwner, d.httpStatus(), d.checkRunId(), now);
            if (d.exhaustedUntil() != null) {
                pausedUntil.merge(key, d.exhaustedUntil(), (a, b) -> a.isAfter(b) ? a : b);
                LOG.warn("GitHub rate limit for {} used up: pausing until {}", key, d.exhaustedUntil());
            }
            LOG.debug("delivered {}", what);
        } else if (result instanceof PublishResult.RateLimited r) {
            pausedUntil.merge(key, r.until(), (a, b) -> a.isAfter(b) ? a : b);
            store.postpone(id, leaseOwner, r.httpStatus(), r.reason(), r.until());
            LOG.warn("GitHub rate limit for {}: pausing until {} ({})", key, r.until(), r.reason());
        } else if (result instanceof PublishResult.Refused f) {
            store.failed(id, leaseOwner, f.httpStatus(), f.reason(), now);
            LOG.warn("GitHub refused {} for good: {}", what, f.reason());
        } else if (result instanceof PublishResult.Retry r) {
            int attempts = row.attempts() + 1;
            if (attempts >= maxAttempts) {
                store.failed(id, leaseOwner, r.httpStatus(), "gave up after " + attempts + " attempts: " + r.reason(), now);
                LOG.warn("gave up on {} after {} attempts: {}", what, attempts, r.reason());
            } else {
                Instant next = now.plus(backoff(attempts));
                if (r.notBefore() != null && r.notBefore().isAfter(next)) {
                    next = r.notBefore();
                }
                store.retryAt(id, leaseOwner, r.httpStatus(), r.reason(), next);
                LOG.info("{} not delivered ({}), attempt {} of {}, next at {}", what, r.reason(), attempts, maxAttempts, next);
            }
        }
    }

    /**
     * A row whose earlier attempt may have reached GitHub unrecorded (the sender was killed, or lost the database,
     * between GitHub's answer and the record): asks GitHub first. Returns true when it is not there and must be
     * sent; otherwise records what happened (delivered by the earlier attempt, or asked again later, still in doubt).
     */
    private boolean alreadyPublishedOrSend(OutboxStore.Claimed row, String key) throws SQLException {
        CommitStatus status = row.status();
        Optional<PublishResult> found;
        try {
            found = publisher.alreadyPublished(status, row.checkRunId());
        } catch (RuntimeException e) {
            found = Optional.of(new PublishResult.Retry(0, "unexpected error looking for an earlier attempt: " + e, null));
        }
        if (found.isEmpty()) {
            return true;
        }
        Instant now = clock.instant();
        PublishResult result = found.get();
        if (result instanceof PublishResult.Delivered d) {
            store.delivered(row, leaseOwner, d.httpStatus(), d.checkRunId(), now);
            LOG.info("{}/{}@{} {}: already on GitHub from an attempt whose answer was lost; not sent again",
                    status.owner(), status.repo(), status.sha().substring(0, 7), status.context());
        } else if (result instanceof PublishResult.RateLimited r) {
            pausedUntil.merge(key, r.until(), (a, b) -> a.isAfter(b) ? a : b);
            store.unconfirmedUntil(row.id(), leaseOwner, r.httpStatus(), r.reason(), r.until(), 0);
        } else if (result instanceof PublishResult.Refused f) {
            store.failed(row.id(), leaseOwner, f.httpStatus(), f.reason(), now);
        } else if (result instanceof PublishResult.Retry r) {
            int attempts = row.attempts() + 1;
            if (attempts >= maxAttempts) {
                store.failed(row.id(), leaseOwner, r.httpStatus(), "gave up after " + attempts + " attempts: " + r.reason(), now);
            } else {
                Instant next = now.plus(backoff(attempts));
                if (r.notBefore() != null && r.notBefore().isAfter(next)) {
                    next = r.notBefore();
                }
                store.unconfirmedUntil(row.id(), leaseOwner, r.httpStatus(), r.reason(), next, 1);
            }
        }
        return false;
    }

    /** Exponential backoff with full jitter: uniformly in [d/2, d], d = base · 2^(attempt-1), capped. */
    Duration backoff(int attempt) {
        long base = backoffBase.toMillis();
        long cap = backoffMax.toMillis();
        long d = attempt >= 31 ? cap : Math.min(cap, base * (1L << Math.max(0, attempt - 1)));
        long half = Math.max(1, d / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    public static final class Builder {
        private final DataSource dataSource;
        private final StatusPublisher publisher;
        private Clock clock = Clock.systemUTC();
        private Duration backoffBase = Duration.ofSeconds(2);
        private Duration backoffMax = Duration.ofMinutes(10);
        private int maxAttempts = 20;
        private Duration pollInterval = Duration.ofSeconds(1);
        private int batchSize = 20;
        private Duration lease = Duration.ofMinutes(2);
        private String threadName = "driftless-status-sender";

        private Builder(DataSource dataSource, StatusPublisher publisher) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.publisher = Objects.requireNonNull(publisher, "publisher");
        }

        public Builder clock(Clock clock) { this.clock = clock; return this; }
        /** First retry delay; doubles per attempt. Small in tests. */
        public Builder backoffBase(Duration backoffBase) { this.backoffBase = backoffBase; return this; }
        public Builder backoffMax(Duration backoffMax) { this.backoffMax = backoffMax; return this; }
        /** Attempts (5xx, network) before a row is failed; rate-limit waits do not count. */
        public Builder maxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; return this; }
        /** How often the outbox is looked at when idle ({@link #wakeUp()} looks at once). */
        public Builder pollInterval(Duration pollInterval) { this.pollInterval = pollInterval; return this; }
        public Builder batchSize(int batchSize) { this.batchSize = batchSize; return this; }
        /** How long a claimed row stays this sender's; must exceed one GitHub call's timeout. */
        public Builder lease(Duration lease) { this.lease = lease; return this; }
        public Builder threadName(String threadName) { this.threadName = threadName; return this; }

        public StatusSender build() {
            List<String> problems = new ArrayList<>();
            if (clock == null) problems.add("clock is missing");
            if (!positive(backoffBase)) problems.add("backoffBase must be positive");
            if (!positive(backoffMax) || (positive(backoffBase) && backoffMax.compareTo(backoffBase) < 0)) {
                problems.add("backoffMax must be at least backoffBase");
            }
            if (maxAttempts < 1) problems.add("maxAttempts must be at least 1");
            if (!positive(pollInterval)) problems.add("pollInterval must be positive");
            if (batchSize < 1 || batchSize > 1000) problems.add("batchSize must be in 1..1000");
            if (!positive(lease)) problems.add("lease must be positive");
            if (threadName == null || threadName.isBlank()) problems.add("threadName is missing");
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid status sender configuration: " + String.join("; ", problems));
            }
            return new StatusSender(this);
        }

        private static boolean positive(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }
    }
}
