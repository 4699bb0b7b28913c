package dev.driftless.reconciler.app;

import dev.driftless.reconciler.queue.Backoff;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobState;
import dev.driftless.runtime.Leadership;
import dev.driftless.reconciler.store.Database;
import dev.driftless.reconciler.store.TestDatabases;
import dev.driftless.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The periodic resync on a real H2 store and job queue: it queues only on the replica that leads. */
class ResyncTest {
    private Database db;
    private JobQueue queue;
    private final AtomicInteger wakes = new AtomicInteger();

    @BeforeEach
    void store() throws SQLException {
        db = TestDatabases.h2();
        queue = new JobQueue(db, Clock.systemUTC(), Duration.ofSeconds(60), Backoff.standard());
        repository("alice", "fns", false);
        repository("bob", "api", false);
        repository("carol", "paused", true);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Resync resync(Duration interval, Leadership leadership) {
        return new Resync(db, queue, Optional.empty(), interval, leadership, wakes::incrementAndGet);
    }

    @Test
    void aTickOnAReplicaThatDoesNotLeadQueuesNothing() throws Exception {
        try (Resync resync = resync(Duration.ofMinutes(5), () -> false)) {
            assertEquals(0, resync.tick());
        }
        assertEquals(0L, queued());
        assertEquals(0, wakes.get());
    }

    @Test
    void aTickOnTheLeaderQueuesEveryActiveUnsuspendedRepository() throws Exception {
        try (Resync resync = resync(Duration.ofMinutes(5), Leadership.always())) {
            assertEquals(2, resync.tick());
        }
        assertEquals(2L, queued());
        assertEquals(1, wakes.get());
    }

    @Test
    void theFirstPassRunsShortlyAfterStartNotOneIntervalLater() throws Exception {
        try (Resync resync = resync(Duration.ofHours(1), Leadership.always())) {
            resync.start();
            Await.until("the startup pass", () -> queuedOrZero() == 2);
        }
        assertEquals(1, wakes.get());
    }

    @Test
    void theTimerKeepsTickingOnAFollowerAndQueuesOnceItLeads() throws Exception {
        AtomicBoolean leading = new AtomicBoolean();
        AtomicInteger asked = new AtomicInteger();
        try (Resync resync = resync(Duration.ofMillis(20), () -> {
            asked.incrementAndGet();
            return leading.get();
        })) {
            resync.start();
            Await.until("three ticks", () -> asked.get() >= 3);
            assertEquals(0L, queued());

            leading.set(true);
            Await.until("a pass once leading", () -> queuedOrZero() == 2);
        }
    }

    private long queued() throws SQLException {
        return queue.depthByState().getOrDefault(JobState.QUEUED, 0L);
    }

    private long queuedOrZero() {
        try {
            return queued();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void repository(String owner, String name, boolean suspended) throws SQLException {
        db.inTransaction(tx -> {
            try (PreparedStatement insert = tx.prepareStatement("INSERT INTO repositories (owner, name, source, clone_url, "
                    + "default_branch, active, suspended, updated_at) VALUES (?, ?, 'git', '/nowhere', 'main', TRUE, ?, "
                    + "CURRENT_TIMESTAMP)")) {
                insert.setString(1, owner);
                insert.setString(2, name);
                insert.setBoolean(3, suspended);
                return insert.executeUpdate();
            }
        });
    }
}
