package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.reconcile.Transactions;
import dev.driftless.webhook.WebhookVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers the notification outbox: a claiming thread of its own leases due rows, and a bounded pool of named
 * worker threads POSTs them (never a Vert.x event loop), each with a timeout.
 * <ul>
 *   <li>2xx: delivered; the row is never sent again.</li>
 *   <li>408, 429, 5xx, timeouts and network errors: retried with exponential backoff and full jitter (not before
 *       a {@code Retry-After}), the same body under the same delivery id, up to {@code maxAttempts}.</li>
 *   <li>Other answers (404, 410, 3xx …) and a signing secret that no longer exists: failed at once.</li>
 * </ul>
 * Rows live in the store, so a restarted daemon or another replica delivers what is left; a stopping sender
 * gives its claimed rows back. Delivery is at least once with a stable id: a sender killed after the receiver
 * answered but before the answer was recorded sends the same delivery again once its lease ran out, so
 * receivers drop a {@code X-Driftless-Delivery} they have already accepted, as with GitHub's deliveries.
 */
public final class NotificationSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationSender.class);
    public static final String EVENT_HEADER = "X-Driftless-Event";
    public static final String DELIVERY_HEADER = "X-Driftless-Delivery";
    public static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
    static final String USER_AGENT = "Driftless-Notifications/1";

    private final NotificationQueue queue;
    private final NotificationSettings settings;
    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;
    private final Duration lease;
    private final Duration pollInterval;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final int maxAttempts;
    private final int threads;
    private final String leaseOwner = "notify-" + UUID.randomUUID();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicLong passes = new AtomicLong();
    private final ExecutorService pool;
    private volatile boolean running;
    private Thread claimer;

    public NotificationSender(Transactions store, NotificationSettings settings, Clock clock, Duration timeout) {
        // A claimed row stays ours while a request may still be in flight, and a little longer.
        this(store, settings, clock, timeout, timeout.plusSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(10), 15,
                Duration.ofSeconds(1), 4);
    }

    NotificationSender(Transactions store, NotificationSettings settings, Clock clock, Duration timeout, Duration lease,
                       Duration backoffBase, Duration backoffMax, int maxAttempts, Duration pollInterval, int threads) {
        this.queue = new NotificationQueue(store);
        this.settings = settings;
        this.clock = clock;
        this.timeout = timeout;
        this.lease = lease;
        this.pollInterval = pollInterval;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
        this.maxAttempts = maxAttempts;
        this.threads = threads;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "driftless-notify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public synchronized void start() {
        if (claimer != null) {
            return;
        }
        running = true;
        claimer = new Thread(this::run, "driftless-notify-claim");
        claimer.setDaemon(true);
        claimer.start();
    }

    /** Looks at the outbox now rather than at the next poll. */
    public void wakeUp() {
        wake.release();
    }

    /** Passes over the outbox so far: a test that shows something was not sent waits for passes, not time. */
    public long passes() {
        return passes.get();
    }

    private void run() {
        while (running) {
            try {
                int claimed = sendDue();
                passes.incrementAndGet();
                if (claimed == 0) {
                    idle();
                }
            } catch (SQLException | RuntimeException e) {
                passes.incrementAndGet();
                LOG.warn("event=notification.outbox_unavailable error=\"{}\"", e.toString());
                idle();
            }
        }
    }

    private void idle() {
        try {
            if (wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /** Claims what is due and sends it on the pool; returns how many rows it claimed. */
    int sendDue() throws SQLException {
        List<Long> ids = queue.claim(leaseOwner, threads * 4, clock.instant(), lease);
        List<Future<?>> sends = new ArrayList<>();
        for (long id : ids) {
            try {
                sends.add(pool.submit(() -> sendOne(id)));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                queue.release(id, leaseOwner);
            }
        }
        for (Future<?> send : sends) {
            try {
                send.get();
            } catch (InterruptedException e) {
                running = false;
                break;
            } catch (Exception e) {
                LOG.warn("event=notification.send_error error=\"{}\"", e.toString());
            }
        }
        return ids.size();
    }

    private void sendOne(long id) {
        try {
            if (!running) {
                queue.release(id, leaseOwner);
                return;
            }
            Optional<NotificationQueue.Row> loaded = queue.renewAndLoad(id, leaseOwner, clock.instant(), lease);
            if (loaded.isEmpty()) {
                return; // another sender holds it now
            }
            deliver(loaded.get());
        } catch (SQLException | RuntimeException e) {
            LOG.warn("event=notification.store_error id={} error=\"{}\"", id, e.toString());
        }
    }

    private void deliver(NotificationQueue.Row row) throws SQLException {
        String target = NotificationTarget.redact(URI.create(row.url()));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(row.url()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header(EVENT_HEADER, row.event())
                .header(DELIVERY_HEADER, row.deliveryId())
                .POST(HttpRequest.BodyPublishers.ofString(row.body(), StandardCharsets.UTF_8));
        if (row.secretRef().isPresent()) {
            Optional<byte[]> secret;
            try {
                secret = settings.secret(row.owner(), row.secretRef().get());
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                fail(row, target, null, "signing secret " + row.secretRef().get() + " cannot be read: " + e.getMessage());
                return;
            }
            if (secret.isEmpty() || secret.get().length == 0) {
                fail(row, target, null, "signing secret " + row.secretRef().get() + " no longer exists");
                return;
            }
            request.header(SIGNATURE_HEADER, new WebhookVerifier(new String(secret.get(), StandardCharsets.UTF_8))
                    .sign(row.body().getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<Void> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            // Stopping mid-request: the row goes back as it was and is sent again, under the same delivery id.
            Thread.currentThread().interrupt();
            queue.release(row.id(), leaseOwner);
            LOG.info("event=notification.interrupted delivery={} target={}", row.deliveryId(), target);
            return;
        } catch (IOException e) {
            retry(row, target, null, e.getClass().getSimpleName() + ": " + e.getMessage(), Optional.empty());
            return;
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (queue.finish(row.id(), leaseOwner, "delivered", status, null, clock.instant())) {
                LOG.info("event=notification.delivered delivery={} owner={} notification={} target={} status={} attempt={}",
                        row.deliveryId(), row.owner(), row.event(), target, status, row.attempts() + 1);
            }
        } else if (status == 408 || status == 429 || status >= 500) {
            retry(row, target, status, "HTTP " + status, retryAfter(response));
        } else {
            fail(row, target, status, "HTTP " + status + " (not retried)");
        }
    }

    private void retry(NotificationQueue.Row row, String target, Integer status, String reason, Optional<Instant> notBefore)
            throws SQLException {
        int attempts = row.attempts() + 1;
        if (attempts >= maxAttempts) {
            fail(row, target, status, "gave up after " + attempts + " attempts: " + reason);
            return;
        }
        Instant next = clock.instant().plus(backoff(attempts));
        if (notBefore.isPresent() && notBefore.get().isAfter(next)) {
            next = notBefore.get();
        }
        queue.retryAt(row.id(), leaseOwner, status, reason, next);
        LOG.info("event=notification.retry delivery={} owner={} notification={} target={} reason=\"{}\" attempt={} next={}",
                row.deliveryId(), row.owner(), row.event(), target, reason, attempts, next);
    }

    private void fail(NotificationQueue.Row row, String target, Integer status, String reason) throws SQLException {
        if (queue.finish(row.id(), leaseOwner, "failed", status, reason, clock.instant())) {
            LOG.warn("event=notification.failed delivery={} owner={} notification={} target={} reason=\"{}\"",
                    row.deliveryId(), row.owner(), row.event(), target, reason);
        }
    }

    private Optional<Instant> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.strip());
                return Optional.of(clock.instant().plusSeconds(Math.min(Math.max(0, seconds), 3600)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** Exponential backoff with full jitter: uniformly in [d/2, d], d = base · 2^(attempt-1), capped. */
    Duration backoff(int attempt) {
        long base = backoffBase.toMillis();
        long cap = backoffMax.toMillis();
        long d = attempt >= 31 ? cap : Math.min(cap, base * (1L << Math.max(0, attempt - 1)));
        long half = Math.max(1, d / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /**
     * Stops claiming; requests in flight get {@code grace} to finish and have their answer recorded, then are
     * interrupted and their rows given back.
     */
    public void stop(Duration grace) {
        Thread t;
        synchronized (this) {
            t = claimer;
            claimer = null;
            running = false;
        }
        wake.release();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
                pool.awaitTermination(5, TimeUnit.SECONDS);
            }
            if (t != null) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
