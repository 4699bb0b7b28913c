package dev.driftless.reconciler.queue;

import dev.driftless.testsupport.MutableClock;
import dev.driftless.reconciler.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue's behaviour, run against each store (H2 and a real PostgreSQL) by a subclass. */
abstract class JobQueueContract {
    static final String SHA1 = "1".repeat(40);
    static final String SHA2 = "2".repeat(40);
    static final String SHA3 = "3".repeat(40);
    static final Duration LEASE = Duration.ofSeconds(30);

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Database db;
    JobQueue queue;

    abstract Database open();

    @BeforeEach
    void setUp() {
        db = open();
        queue = new JobQueue(db, clock, LEASE, new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1), 3),
                new HandBacks(Duration.ofSeconds(2), 10));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    static JobRequest push(String repo, String sha) {
        return JobRequest.reconcile("alice", repo, "main", Optional.of(sha), JobReason.WEBHOOK);
    }

    JobState state(long id) throws SQLException {
        return queue.find(id).orElseThrow().state();
    }

    @Test
    void claimRunsAQueuedJobOnceAndRecordsSuccess() throws Exception {
        Enqueued e = queue.enqueue(push("fns", SHA1).withPayload("{\"x\":1}"));
        Job job = queue.claim("w1").orElseThrow();
        assertEquals(e.jobId(), job.id());
        assertEquals(Optional.of(SHA1), job.headSha());
        assertEquals(Optional.of("{\"x\":1}"), job.payload());
        assertEquals(1, job.attempts());
        assertEquals(JobState.RUNNING, state(job.id()));
        assertTrue(queue.claim("w2").isEmpty(), "a running job is not claimed twice");
        assertTrue(queue.complete(job, new JobResult.Succeeded("ok")));
        assertEquals(JobState.SUCCEEDED, state(job.id()));
        assertTrue(queue.claim("w1").isEmpty());
    }

    @Test
    void pushesToOneBranchCoalesceIntoOneJobWithTheNewestHead() throws Exception {
        Enqueued first = queue.enqueue(push("fns", SHA1));
        Enqueued second = queue.enqueue(push("fns", SHA2));
        Enqueued third = queue.enqueue(push("fns", SHA3));
        Enqueued otherBranch = queue.enqueue(JobRequest.reconcile("alice", "fns", "dev", Optional.of(SHA1), JobReason.WEBHOOK));
        Enqueued gc = queue.enqueue(JobRequest.gc("alice", "fns", JobReason.REMOVED));
        assertFalse(first.coalesced());
        assertTrue(second.coalesced());
        assertTrue(third.coalesced());
        assertEquals(first.jobId(), third.jobId());
        assertEquals(List.of(1L, 2L, 3L), List.of(first.seq(), second.seq(), third.seq()), "monotonic per key");
        assertFalse(otherBranch.coalesced());
        assertFalse(gc.coalesced());

        Set<String> claimed = new HashSet<>();
        for (Optional<Job> job = queue.claim("w"); job.isPresent(); job = queue.claim("w")) {
            claimed.add(job.get().key() + "=" + job.get().headSha().orElse("-"));
            queue.complete(job.get(), new JobResult.Succeeded("ok"));
        }
        assertEquals(Set.of("reconcile:alice/fns@main=" + SHA3, "reconcile:alice/fns@dev=" + SHA1, "gc:alice/fns=-"), claimed);
    }

    @Test
    void enqueueJoinsTheCallersTransaction() throws Exception {
        try {
            db.inTransaction(tx -> {
                queue.enqueue(tx, push("fns", SHA1));
                throw new SQLException("caller failed after enqueue");
            });
        } catch (SQLException expected) {
            // the enqueue must be rolled back with the caller's work
        }
        assertTrue(queue.claim("w").isEmpty());
        assertEquals(0L, queue.depthByState().get(JobState.QUEUED));
    }

    @Test
    void aPushDuringARunQueuesANewJobThatWaitsForTheRunningOne() throws Exception {
        queue.enqueue(push("fns", SHA1));
        Job running = queue.claim("w1").orElseThrow();
        Enqueued newer = queue.enqueue(push("fns", SHA2));
        assertFalse(newer.coalesced(), "a running job is not changed under its worker");
        assertTrue(queue.claim("w2").isEmpty(), "one key never runs twice at the same time");
        queue.complete(running, new JobResult.Succeeded("ok"));
        Job next = queue.claim("w2").orElseThrow();
        assertEquals(Optional.of(SHA2), next.headSha());
    }

    @Test
    void anOlderHeadNeverRunsAfterANewerOne() throws Exception {
        // head 1 runs and fails transiently; head 2 is pushed meanwhile and runs first;
        // the retry of head 1 must then never run.
        queue.enqueue(push("fns", SHA1));
        Job old = queue.claim("w1").orElseThrow();
        queue.enqueue(push("fns", SHA2));
        queue.complete(old, JobResult.retryLater("registry down"));
        clock.advance(Duration.ofMinutes(5));
        List<String> ran = new ArrayList<>();
        for (Optional<Job> job = queue.claim("w"); job.isPresent(); job = queue.claim("w")) {
            ran.add(job.get().headSha().orElseThrow());
            queue.complete(job.get(), new JobResult.Succeeded("ok"));
        }
        assertEquals(List.of(SHA2), ran);
        assertEquals(JobState.SUPERSEDED, state(old.id()));
    }

    @Test
    void anExpiredLeaseOfAnOlderHeadIsSupersededByTheNewerJob() throws Exception {
        queue.enqueue(push("fns", SHA1));
        Job crashed = queue.claim("w1").orElseThrow();
        Enqueued newer = queue.enqueue(push("fns", SHA2));
        clock.advance(LEASE.plusSeconds(1));
        Job next = queue.claim("w2").orElseThrow();
        assertEquals(newer.jobId(), next.id());
        assertEquals(JobState.SUPERSEDED, state(crashed.id()));
        assertFalse(queue.complete(crashed, new JobResult.Succeeded("late")), "a lost lease records nothing");
        assertTrue(queue.complete(next, new JobResult.Succeeded("ok")));
    }

    @Test
    void anExpiredLeaseIsClaimableAgainAndTheOldOwnerCannotComplete() throws Exception {
        Enqueued e = queue.enqueue(push("fns", SHA1));
        Job first = queue.claim("w1").orElseThrow();
        clock.advance(LEASE.minusSeconds(1));
        assertTrue(queue.claim("w2").isEmpty(), "lease still valid");
        clock.advance(Duration.ofSeconds(2));
        Job second = queue.claim("w2").orElseThrow();
        assertEquals(e.jobId(), second.id());
        assertEquals(2, second.attempts());
        assertFalse(queue.complete(first, new JobResult.Succeeded("late")));
        assertFalse(queue.renew(first));
        assertTrue(queue.complete(second, new JobResult.Succeeded("ok")));
        assertEquals(JobState.SUCCEEDED, state(e.jobId()));
    }

    @Test
    void renewingTheLeaseKeepsOthersAway() throws Exception {
        queue.enqueue(push("fns", SHA1));
        Job job = queue.claim("w1").orElseThrow();
        for (int i = 0; i < 4; i++) {
            clock.advance(LEASE.dividedBy(2));
            assertTrue(queue.renew(job));
            assertTrue(queue.claim("w2").isEmpty());
        }
        assertTrue(queue.complete(job, new JobResult.Succeeded("ok")));
    }

    @Test
    void retriesBackOffExponentiallyThenFail() throws Exception {
        Enqueued e = queue.enqueue(push("fns", SHA1));
        Job job = queue.claim("w").orElseThrow();
        assertTrue(queue.complete(job, JobResult.retryLater("registry down")));
        assertEquals(JobState.QUEUED, state(e.jobId()));
        assertTrue(queue.claim("w").isEmpty(), "not before the backoff");
        clock.advance(Duration.ofSeconds(5)); // attempt 1 waits 2.5..5 s
        job = queue.claim("w").orElseThrow();
        assertEquals(2, job.attempts());
        queue.complete(job, JobResult.retryLater("registry down"));
        clock.advance(Duration.ofSeconds(4));
        assertTrue(queue.claim("w").isEmpty(), "attempt 2 waits at least 5 s");
        clock.advance(Duration.ofSeconds(6));
        job = queue.claim("w").orElseThrow();
        assertEquals(3, job.attempts());
        queue.complete(job, JobResult.retryLater("registry still down"));
        JobQueue.Stored stored = queue.find(e.jobId()).orElseThrow();
        assertEquals(JobState.FAILED, stored.state(), "max attempts reached");
        assertTrue(stored.lastError().orElseThrow().contains("gave up after 3 attempts: registry still down"));
    }

    @Test
    void aHandBackIsNotAnAttemptAndHasItsOwnBound() throws Exception {
        Enqueued e = queue.enqueue(push("fns", SHA1));
        for (int handBack = 1; handBack <= 9; handBack++) {
            Job job = queue.claim("other-replica").orElseThrow();
            assertEquals(1, job.attempts(), "hand-back " + handBack + " spent no attempt");
            assertTrue(queue.complete(job, JobResult.handBack("held by another replica")));
            assertEquals(JobState.QUEUED, state(e.jobId()));
            assertTrue(queue.claim("other-replica").isEmpty(), "handed back for a moment, so the holder can claim it");
            clock.advance(Duration.ofSeconds(2));
        }
        // Attempts still count what really failed, as before.
        Job job = queue.claim("holder").orElseThrow();
        assertEquals(1, job.attempts());
        queue.complete(job, JobResult.retryLater("registry down"));
        clock.advance(Duration.ofSeconds(5));
        job = queue.claim("other-replica").orElseThrow();
        assertEquals(2, job.attempts());
        // The tenth hand-back is the last one: the job fails and says why.
        queue.complete(job, JobResult.handBack("held by another replica"));
        JobQueue.Stored stored = queue.find(e.jobId()).orElseThrow();
        assertEquals(JobState.FAILED, stored.state());
        assertEquals(Optional.of("handed back 10 times and no replica that could run it claimed it: held by another replica"),
                stored.lastError());
    }

    @Test
    void aNewRequestFoldedIntoAHandedBackJobStartsItsHandBacksAfresh() throws Exception {
        Enqueued e = queue.enqueue(push("fns", SHA1));
        for (int handBack = 1; handBack <= 9; handBack++) {
            queue.complete(queue.claim("other-replica").orElseThrow(), JobResult.handBack("held elsewhere"));
            clock.advance(Duration.ofSeconds(2));
        }
        assertTrue(queue.enqueue(push("fns", SHA2)).coalesced());
        queue.complete(queue.claim("other-replica").orElseThrow(), JobResult.handBack("held elsewhere"));
        assertEquals(JobState.QUEUED, state(e.jobId()), "the newer push has its own hand-backs");
    }

    @Test
    void oneJobOfARepositoryRunsAtATimeWhateverItsKind() throws Exception {
        queue.enqueue(push("fns", SHA1));
        Enqueued rollback = queue.enqueue(JobRequest.rollback("alice", "fns", "hello", 3));
        Enqueued suspend = queue.enqueue(JobRequest.suspend("alice", "fns", true));
        Enqueued other = queue.enqueue(push("other", SHA1));
        Job reconcile = queue.claim("replica-a").orElseThrow();
        assertEquals(JobKind.RECONCILE, reconcile.kind());
        Job next = queue.claim("replica-b").orElseThrow();
        assertEquals(other.jobId(), next.id(), "another repository is not held up");
        assertTrue(queue.claim("replica-b").isEmpty(), "the rollback and the suspend wait for the reconcile of alice/fns");
        queue.complete(reconcile, JobResult.succeeded("ok"));

        Job first = queue.claim("replica-b").orElseThrow();
        assertEquals(rollback.jobId(), first.id());
        assertEquals(JobKind.ROLLBACK, first.kind());
        assertEquals(Optional.of("{\"function\":\"hello\",\"release\":3}"), first.payload());
        assertTrue(queue.claim("replica-a").isEmpty(), "the suspend waits for the rollback");
        queue.complete(first, JobResult.succeeded("rolled back"));
        Job second = queue.claim("replica-a").orElseThrow();
        assertEquals(suspend.jobId(), second.id());
        assertEquals(JobKind.SUSPEND, second.kind());
    }

    @Test
    void rollbacksOfOneFunctionCoalesceAndOfTwoFunctionsDoNot() throws Exception {
        Enqueued first = queue.enqueue(JobRequest.rollback("alice", "fns", "hello", 3));
        Enqueued newer = queue.enqueue(JobRequest.rollback("alice", "fns", "hello", 2));
        Enqueued bye = queue.enqueue(JobRequest.rollback("alice", "fns", "bye", 1));
        assertTrue(newer.coalesced());
        assertEquals(first.jobId(), newer.jobId());
        assertFalse(bye.coalesced());
        Job job = queue.claim("w").orElseThrow();
        assertEquals(Optional.of("{\"function\":\"hello\",\"release\":2}"), job.payload(), "the newest request wins");
        assertTrue(queue.enqueue(JobRequest.suspend("alice", "fns", true)).jobId() > 0);
    }

    @Test
    void aPermanentFailureIsNotRetried() throws Exception {
        Enqueued e = queue.enqueue(push("fns", SHA1));
        queue.complete(queue.claim("w").orElseThrow(), new JobResult.Failed("stack.yml line 3: unknown field"));
        clock.advance(Duration.ofHours(1));
        assertTrue(queue.claim("w").isEmpty());
        assertEquals(Optional.of("stack.yml line 3: unknown field"), queue.find(e.jobId()).orElseThrow().lastError());
    }

    @Test
    void concurrentClaimersNeverGetTheSameJob() throws Exception {
        int jobs = 60;
        for (int i = 0; i < jobs; i++) {
            queue.enqueue(push("repo" + i, SHA1));
        }
        int claimers = 6;
        List<Long> claimed = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(claimers);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < claimers; c++) {
            String worker = "w" + c;
            done.add(threads.submit(() -> {
                start.await();
                for (Optional<Job> job = queue.claim(worker); job.isPresent(); job = queue.claim(worker)) {
                    claimed.add(job.get().id());
                    queue.complete(job.get(), new JobResult.Succeeded("ok"));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        assertEquals(jobs, claimed.size(), "every job claimed exactly once: " + claimed);
        assertEquals(jobs, new HashSet<>(claimed).size());
        assertEquals((long) jobs, queue.depthByState().get(JobState.SUCCEEDED));
    }

    @Test
    void concurrentPushesAndClaimsOfOneKeyNeverRunAnOlderHeadAfterANewerOne() throws Exception {
        int pushes = 40;
        List<Long> ranSeqs = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger overlapping = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        Future<?> pusher = threads.submit(() -> {
            for (int i = 1; i <= pushes; i++) {
                queue.enqueue(push("fns", String.format("%040x", i)));
            }
            return null;
        });
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            String worker = "w" + w;
            workers.add(threads.submit(() -> {
                long idleSince = System.nanoTime();
                while (System.nanoTime() - idleSince < TimeUnit.MILLISECONDS.toNanos(500)) {
                    Optional<Job> job = queue.claim(worker);
                    if (job.isEmpty()) {
                        Thread.sleep(5);
                        continue;
                    }
                    idleSince = System.nanoTime();
                    if (running.incrementAndGet() > 1) {
                        overlapping.incrementAndGet();
                    }
                    ranSeqs.add(job.get().seq());
                    running.decrementAndGet();
                    queue.complete(job.get(), new JobResult.Succeeded("ok"));
                }
                return null;
            }));
        }
        pusher.get(60, TimeUnit.SECONDS);
        for (Future<?> f : workers) {
            f.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        assertEquals(0, overlapping.get(), "one key ran twice at the same time");
        List<Long> sorted = new ArrayList<>(ranSeqs);
        Collections.sort(sorted);
        assertEquals(sorted, ranSeqs, "runs in increasing sequence order");
        assertEquals((long) pushes, ranSeqs.get(ranSeqs.size() - 1), "the newest head ran last");
        assertTrue(ranSeqs.size() < pushes || ranSeqs.size() == pushes);
    }

    @Test
    void aWorkerPoolRunsJobsAndDrainsOnClose() throws Exception {
        List<Long> handled = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        JobHandler slow = job -> {
            started.countDown();
            Thread.sleep(300);
            handled.add(job.id());
            return new JobResult.Succeeded("done");
        };
        JobQueue realTime = new JobQueue(db, Clock.systemUTC(), LEASE, Backoff.standard());
        JobWorker worker = new JobWorker(realTime, slow, JobListener.NONE, 2, Duration.ofMillis(50), Duration.ofSeconds(10));
        worker.start();
        Enqueued e = realTime.enqueue(push("fns", SHA1));
        worker.wake();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        worker.close(); // must wait for the running job instead of abandoning it
        assertEquals(List.of(e.jobId()), handled);
        assertEquals(JobState.SUCCEEDED, realTime.find(e.jobId()).orElseThrow().state());
        String threadName = Thread.currentThread().getName();
        assertFalse(threadName.startsWith("driftless-job-"));
    }

}
