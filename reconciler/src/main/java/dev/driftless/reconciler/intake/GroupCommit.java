package dev.driftless.reconciler.intake;

import dev.driftless.webhook.AsyncDeliverySink;
import dev.driftless.webhook.Delivery;
import dev.driftless.webhook.GitHubEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for webhook intake. Committer threads ("lanes") write deliveries in transactions of up to
 * {@code maxBatch}: while a lane commits one transaction, the deliveries that arrive for it queue up and all go
 * into its next one. Nobody waits for a batch to fill (an idle intake commits a lone delivery at once), so under
 * load a transaction's cost, its commit (one fsync on PostgreSQL) and, with every push on one branch, the lock on
 * the branch's job, are shared by every delivery that arrived meanwhile.
 *
 * <p>A push goes to the lane of its repository, so the pushes of one branch are committed in the order they
 * arrived (newest wins) and never wait for each other's row lock across lanes; pushes to other repositories
 * commit in parallel on the other lanes. Every other event goes to the first lane.
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
    private final Lane[] lanes;
    private volatile boolean closed;

    /** One committer thread and the deliveries waiting for it. */
    private final class Lane {
        final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
        final Thread committer;

        Lane(int index) {
            committer = new Thread(() -> run(pending), "driftless-intake-commit-" + index);
            committer.setDaemon(true);
        }
    }

    /** @param lanes committer threads (transactions in flight at once); 1 keeps every delivery in arrival order */
    public GroupCommit(BatchSink sink, int maxBatch, int lanes) {
        if (maxBatch < 1 || lanes < 1) {
            throw new IllegalArgumentException("maxBatch and lanes must be at least 1");
        }
        this.sink = sink;
        this.maxBatch = maxBatch;
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane(i);
            this.lanes[i].committer.start();
        }
    }

    @Override
    public CompletionStage<Result> submit(Delivery delivery) {
        Pending entry = new Pending(delivery, new CompletableFuture<>());
        if (closed) {
            entry.result().completeExceptionally(new IllegalStateException("intake is stopping"));
            return entry.result();
        }
        Lane lane = laneOf(delivery);
        lane.pending.add(entry);
        if (closed && !lane.committer.isAlive()) {
            failPending(lane); // raced with close(): nobody would commit it
        }
        return entry.result();
    }

    private Lane laneOf(Delivery delivery) {
        if (delivery.event() instanceof GitHubEvent.Push push) {
            // Owners are recorded in lower case: hash them that way so Alice/fns and alice/fns share a lane.
            String repository = push.repository().owner().toLowerCase(Locale.ROOT) + "/" + push.repository().name();
            return lanes[Math.floorMod(repository.hashCode(), lanes.length)];
        }
        return lanes[0];
    }

    private void run(LinkedBlockingQueue<Pending> pending) {
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

    private static void failPending(Lane lane) {
        Pending left;
        while ((left = lane.pending.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("intake stopped before recording the delivery"));
        }
    }

    /** Commits what is queued (up to 10 s), then stops; later submissions fail. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Lane lane : lanes) {
            lane.committer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (lane.committer.isAlive()) {
                lane.committer.interrupt();
                lane.committer.join(TimeUnit.SECONDS.toMillis(2));
            }
            failPending(lane);
        }
    }
}
