package dev.driftless.reconciler.intake;

import dev.driftless.webhook.AsyncDeliverySink;
import dev.driftless.webhook.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for webhook intake. One committer thread writes deliveries in transactions of up to
 * {@code maxBatch}: while it commits one transaction, the deliveries that arrive queue up and all go into the
 * next one. Nobody waits for a batch to fill (an idle intake commits a lone delivery at once), so under load
 * a transaction's cost, its commit (one fsync on PostgreSQL) and, with every push on one branch, the lock on
 * the branch's job, are shared by every delivery that arrived meanwhile.
 *
 * <p>Each delivery's stage completes only after the commit that recorded it, so its 2xx still means durable;
 * when a transaction fails, every delivery of that batch fails (and is answered 5xx: GitHub lets the user
 * redeliver), none is half-recorded.
 */
public final class GroupCommit implements AsyncDeliverySink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** Records a batch in one transaction, all or nothing; one result per delivery, in order. */
    @FunctionalInterface
    public interface BatchSink {
        List<Result> acceptAll(List<Delivery> batch) throws Exception;
    }

    private record Pending(Delivery delivery, CompletableFuture<Result> result) { }

    private final BatchSink sink;
    private final int maxBatch;
    private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final Thread committer;
    private volatile boolean closed;

    public GroupCommit(BatchSink sink, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.sink = sink;
        this.maxBatch = maxBatch;
        this.committer = new Thread(this::run, "driftless-intake-commit");
        committer.setDaemon(true);
        committer.start();
    }

    @Override
    public CompletionStage<Result> submit(Delivery delivery) {
        Pending entry = new Pending(delivery, new CompletableFuture<>());
        if (closed) {
            entry.result().completeExceptionally(new IllegalStateException("intake is stopping"));
            return entry.result();
        }
        pending.add(entry);
        if (closed && !committer.isAlive()) {
            failPending(); // raced with close(): nobody would commit it
        }
        return entry.result();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!closed || !pending.isEmpty()) {
            try {
                Pending first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<Delivery> deliveries = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            deliveries.add(p.delivery());
        }
        List<Result> results;
        try {
            results = sink.acceptAll(deliveries);
        } catch (Exception | Error e) {
            LOG.warn("event=webhook.commit_failed deliveries={} error=\"{}\"", batch.size(), e.toString());
            for (Pending p : batch) {
                p.result().completeExceptionally(e);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }

    private void failPending() {
        Pending left;
        while ((left = pending.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("intake stopped before recording the delivery"));
        }
    }

    /** Commits what is queued (up to 10 s), then stops; later submissions fail. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        committer.join(TimeUnit.SECONDS.toMillis(10));
        if (committer.isAlive()) {
            committer.interrupt();
            committer.join(TimeUnit.SECONDS.toMillis(2));
        }
        failPending();
    }
}
