package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.metrics.DaemonMetrics;
import dev.driftless.reconciler.queue.Backoff;
import dev.driftless.reconciler.queue.Job;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobState;
import dev.driftless.reconciler.reconcile.Transactions;
import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import dev.driftless.webhook.Delivery;
import dev.driftless.webhook.DeliverySink.Result;
import dev.driftless.webhook.RepositoryRef;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group commit of webhook deliveries against a real store (H2 here, PostgreSQL in the subclass). */
class GroupCommitTest {
    static final RepositoryRef FNS = StoreDeliverySinkTest.FNS;

    Database db;
    JobQueue queue;
    /** Transactions the sink ran, committed or not. */
    final AtomicInteger transactions = new AtomicInteger();
    /** When set, the first transaction waits for it after its work, before its commit. */
    volatile CountDownLatch holdFirstCommit;
    final CountDownLatch firstInside = new CountDownLatch(1);
    /** Transactions with this number throw at commit time (their work is rolled back). */
    volatile int failingTransaction = -1;
    GroupCommit groupCommit;

    Database store() {
        return TestDatabases.h2();
    }

    @BeforeEach
    void open() {
        db = store();
        queue = new JobQueue(db, Clock.systemUTC(), Duration.ofSeconds(30), Backoff.standard());
        Transactions observed = new Transactions() {
            @Override
            public <T> T inTransaction(Work<T> work) throws SQLException {
                int number = transactions.incrementAndGet();
                return db.inTransaction(tx -> {
                    T result = work.run(tx);
                    if (number == 1 && holdFirstCommit != null) {
                        firstInside.countDown();
                        await(holdFirstCommit);
                    }
                    if (number == failingTransaction) {
                        throw new SQLException("commit refused (test)");
                    }
                    return result;
                });
            }
        };
        StoreDeliverySink sink = new StoreDeliverySink(observed, queue, new ConfigLoader(Map.of()).load(Optional.empty()),
                new DaemonMetrics(new PrometheusRegistry(), false), () -> { }, Clock.systemUTC());
        groupCommit = new GroupCommit(sink::acceptAll, 64, 4);
    }

    @AfterEach
    void close() throws Exception {
        groupCommit.close();
        db.close();
    }

    static Delivery push(String id, String after) {
        return StoreDeliverySinkTest.push(id, FNS, "refs/heads/main", after, false);
    }

    /** A distinct non-zero commit id per n (all zeros would be a branch deletion). */
    static String sha(int n) {
        return String.format("a%039x", n);
    }

    @Test
    void deliveriesArrivingDuringACommitShareTheNextTransactionWithDedupeAndOneCoalescedJob() throws Exception {
        holdFirstCommit = new CountDownLatch(1);
        CompletableFuture<Result> first = groupCommit.submit(push("d0", sha(0))).toCompletableFuture();
        assertTrue(firstInside.await(30, TimeUnit.SECONDS));
        // While d0's transaction is open: 20 new pushes to the same branch, a redelivery of d0, and d5 twice.
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<Result>> results = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            ids.add("d" + i);
            results.add(groupCommit.submit(push("d" + i, sha(i))).toCompletableFuture());
            if (i == 5) {
                ids.add("d0");
                results.add(groupCommit.submit(push("d0", sha(99))).toCompletableFuture());
                ids.add("d5");
                results.add(groupCommit.submit(push("d5", sha(98))).toCompletableFuture());
            }
        }
        assertTrue(results.stream().noneMatch(CompletableFuture::isDone), "answered before its transaction committed");
        holdFirstCommit.countDown();
        assertEquals(Result.RECORDED, first.get(30, TimeUnit.SECONDS));
        Map<String, List<Result>> byId = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            byId.computeIfAbsent(ids.get(i), k -> new ArrayList<>()).add(results.get(i).get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(Result.DUPLICATE), byId.get("d0"));
        assertEquals(List.of(Result.RECORDED, Result.DUPLICATE), byId.get("d5"));
        assertEquals(2, transactions.get(), "all deliveries that arrived during the first commit went into one transaction");

        Map<String, String> stored = stored();
        assertEquals(21, stored.size(), stored.toString());
        assertEquals("queued", stored.get("d0"));
        for (int i = 1; i <= 20; i++) {
            assertEquals("coalesced", stored.get("d" + i), "d" + i);
        }
        assertEquals(1L, queue.depthByState().get(JobState.QUEUED));
        Job job = queue.claim("w").orElseThrow();
        assertEquals(Optional.of(sha(20)), job.headSha(), "the newest push of the batch wins; redeliveries changed nothing");
        assertEquals(List.of(job.id()), jobIdsOfDeliveries());
    }

    @Test
    void concurrentDeliveriesWithDuplicatesAreEachStoredExactlyOnceAsOneCoalescedJob() throws Exception {
        int threads = 8;
        int perThread = 40;
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<List<Map.Entry<String, Result>>>> sent = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            sent.add(CompletableFuture.supplyAsync(() -> {
                List<Map.Entry<String, Result>> answers = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    // Every fourth id is sent by all threads at about the same time: redeliveries racing each other.
                    String id = i % 4 == 0 ? "dup-" + i : "t" + thread + "-" + i;
                    try {
                        answers.add(Map.entry(id, groupCommit.submit(push(id, sha(thread * 1000 + i))).toCompletableFuture().get()));
                    } catch (InterruptedException | ExecutionException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return answers;
            }, senders));
        }
        Map<String, Integer> recorded = new HashMap<>();
        for (CompletableFuture<List<Map.Entry<String, Result>>> answers : sent) {
            for (Map.Entry<String, Result> answer : answers.get(60, TimeUnit.SECONDS)) {
                recorded.merge(answer.getKey(), answer.getValue() == Result.RECORDED ? 1 : 0, Integer::sum);
            }
        }
        senders.shutdown();
        Map<String, String> stored = stored();
        assertEquals(recorded.keySet(), stored.keySet(), "every delivery sent is stored");
        recorded.forEach((id, times) -> assertEquals(1, times, id + " answered 202 (recorded) exactly once"));
        assertEquals(threads * (perThread - perThread / 4) + perThread / 4, stored.size());
        assertEquals(1L, queue.depthByState().get(JobState.QUEUED));
        assertEquals(1, jobIdsOfDeliveries().size(), "one coalesced job for the branch");
        assertEquals(1, stored.values().stream().filter("queued"::equals).count(), stored.toString());
        assertEquals(stored.size() - 1, stored.values().stream().filter("coalesced"::equals).count(), stored.toString());
    }

    @Test
    void pushesToManyRepositoriesCommitOnParallelLanesWithOneJobPerRepositoryAndTheNewestHeadEach() throws Exception {
        List<CompletableFuture<Result>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            RepositoryRef repo = new RepositoryRef("owner" + (i % 3), "fns" + (i % 10), 1000 + i % 10, false, null, "main");
            results.add(groupCommit.submit(StoreDeliverySinkTest.push("m" + i, repo, "refs/heads/main", sha(i), false))
                    .toCompletableFuture());
        }
        for (CompletableFuture<Result> result : results) {
            assertEquals(Result.RECORDED, result.get(60, TimeUnit.SECONDS));
        }
        assertEquals(200, stored().size());
        assertEquals(30L, queue.depthByState().get(JobState.QUEUED), "one job per owner/repository pair");
        Map<String, String> heads = new HashMap<>();
        for (Optional<Job> job = queue.claim("w"); job.isPresent(); job = queue.claim("w")) {
            heads.put(job.get().owner() + "/" + job.get().repository(), job.get().headSha().orElseThrow());
        }
        for (int i = 170; i < 200; i++) {
            // the last push of each pair was submitted after all earlier ones of that pair: its head won
            assertEquals(sha(i), heads.get("owner" + (i % 3) + "/fns" + (i % 10)), "pair of push " + i);
        }
    }

    @Test
    void aFailedCommitFailsEveryDeliveryOfItsBatchAndStoresNoneOfThem() throws Exception {
        holdFirstCommit = new CountDownLatch(1);
        failingTransaction = 2;
        CompletableFuture<Result> first = groupCommit.submit(push("ok-0", sha(0))).toCompletableFuture();
        assertTrue(firstInside.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Result>> batch = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            batch.add(groupCommit.submit(push("lost-" + i, sha(i))).toCompletableFuture());
        }
        holdFirstCommit.countDown();
        assertEquals(Result.RECORDED, first.get(30, TimeUnit.SECONDS));
        for (CompletableFuture<Result> result : batch) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
            assertInstanceOf(SQLException.class, failed.getCause());
        }
        assertEquals(List.of("ok-0"), List.copyOf(stored().keySet()));
        // The redelivery the 503 asks for is recorded.
        assertEquals(Result.RECORDED, groupCommit.submit(push("lost-1", sha(1))).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertEquals(Optional.of(sha(1)), queue.claim("w").orElseThrow().headSha());
    }

    @Test
    void afterCloseADeliveryIsRefusedNotLost() throws Exception {
        groupCommit.close();
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> groupCommit.submit(push("late", sha(1))).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, refused.getCause());
        assertTrue(stored().isEmpty());
    }

    Map<String, String> stored() throws SQLException {
        return db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT id, outcome FROM deliveries ORDER BY id");
                 ResultSet rows = q.executeQuery()) {
                Map<String, String> all = new java.util.TreeMap<>();
                while (rows.next()) {
                    assertTrue(all.put(rows.getString(1), rows.getString(2)) == null);
                }
                return all;
            }
        });
    }

    List<Long> jobIdsOfDeliveries() throws SQLException {
        return db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT DISTINCT job_id FROM deliveries WHERE job_id IS NOT NULL");
                 ResultSet rows = q.executeQuery()) {
                List<Long> ids = new ArrayList<>();
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
                return ids;
            }
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the held commit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
