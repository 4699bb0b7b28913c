package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.SessionStore;
import dev.driftless.dashboard.SessionStore.Session;
import dev.driftless.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link SessionStore} does, run by a subclass against the in-memory store, H2 and a real
 * PostgreSQL. "Replicas" are two stores on one storage, as two daemons behind one Service see it (in
 * memory there is only one process, so both are the same store).
 */
abstract class SessionStoreContract {
    static final Duration LIFETIME = Duration.ofHours(12);
    static final Duration STATE_LIFETIME = Duration.ofMinutes(10);
    static final Principal ALICE = new Principal("alice", false, Set.of("alice", "acme", "tools"));
    static final Principal ADMIN = new Principal("admin", true, Set.of());

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));

    /** A new, empty storage on {@link #clock}; returns the first replica's store. */
    abstract SessionStore open(int maxPendingStates);

    /** Another replica's store on the storage {@link #open} made. */
    abstract SessionStore replica();

    /** Closes what {@link #open} and {@link #replica} opened. */
    abstract void close();

    @AfterEach
    void tearDown() {
        close();
    }

    SessionStore open() {
        return open(SessionStore.MAX_PENDING_STATES);
    }

    @Test
    void aSessionIsFoundByItsIdUntilItIsRemoved() {
        SessionStore store = open();
        Session alice = store.create(ALICE, LIFETIME);
        Session admin = store.create(ADMIN, LIFETIME);
        assertEquals(clock.instant().plus(LIFETIME), alice.expiresAt());
        assertNotEquals(alice.id(), admin.id());
        assertNotEquals(alice.csrfToken(), admin.csrfToken());
        assertNotEquals(alice.id(), alice.csrfToken());
        assertTrue(alice.id().matches("[A-Za-z0-9_-]{43}"), "256 random bits, base64url");

        Session found = store.find(alice.id()).orElseThrow();
        assertEquals(alice, found);
        assertEquals(ALICE, found.principal());
        assertEquals(ADMIN, store.find(admin.id()).orElseThrow().principal());
        assertEquals(Optional.empty(), store.find(alice.csrfToken()));
        assertEquals(Optional.empty(), store.find("no-such-session"));
        assertEquals(Optional.empty(), store.find(null));

        store.remove(alice.id());
        assertEquals(Optional.empty(), store.find(alice.id()));
        assertTrue(store.find(admin.id()).isPresent(), "only that session ended");
        store.remove(alice.id());
        store.remove(null);
    }

    @Test
    void aSessionEndsWhenItsLifetimeIsOverAndStaysGone() {
        SessionStore store = open();
        Instant start = clock.instant();
        Session session = store.create(ALICE, LIFETIME);
        clock.advance(LIFETIME.minusSeconds(1));
        assertTrue(store.find(session.id()).isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), store.find(session.id()));
        clock.set(start);
        assertEquals(Optional.empty(), store.find(session.id()), "the expired session was deleted when looked up");
    }

    @Test
    void expireDeletesWhatIsExpiredAndNothingElse() {
        SessionStore store = open();
        Instant start = clock.instant();
        Session shortLived = store.create(ALICE, Duration.ofHours(1));
        Session longLived = store.create(ADMIN, LIFETIME);
        String state = store.issueState(STATE_LIFETIME).orElseThrow();
        assertEquals(0, store.expire());
        clock.advance(Duration.ofHours(2));
        assertEquals(2, store.expire(), "the short session and the state");
        assertEquals(0, store.expire());
        clock.set(start); // back in time: what expire deleted is gone, not merely hidden
        assertEquals(Optional.empty(), store.find(shortLived.id()));
        assertFalse(store.consumeState(state));
        assertTrue(store.find(longLived.id()).isPresent());
    }

    @Test
    void aStateIsUsedOnceAndOnlyBeforeItExpires() {
        SessionStore store = open();
        String state = store.issueState(STATE_LIFETIME).orElseThrow();
        String other = store.issueState(STATE_LIFETIME).orElseThrow();
        assertNotEquals(state, other);
        assertFalse(store.consumeState("forged"));
        assertFalse(store.consumeState(null));
        assertTrue(store.consumeState(state));
        assertFalse(store.consumeState(state), "used up");

        clock.advance(STATE_LIFETIME);
        assertFalse(store.consumeState(other), "expired");
        String late = store.issueState(STATE_LIFETIME).orElseThrow();
        clock.advance(STATE_LIFETIME.minusSeconds(1));
        assertTrue(store.consumeState(late));
    }

    @Test
    void pastTheCapNewStatesAreRefusedUntilPendingOnesAreUsedOrExpire() {
        SessionStore store = open(3);
        List<String> states = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            states.add(store.issueState(STATE_LIFETIME).orElseThrow());
        }
        assertEquals(Optional.empty(), store.issueState(STATE_LIFETIME), "a flood of sign-ins never finished");
        assertTrue(store.consumeState(states.get(0)));
        assertTrue(store.issueState(STATE_LIFETIME).isPresent());
        assertEquals(Optional.empty(), store.issueState(STATE_LIFETIME));
        clock.advance(STATE_LIFETIME);
        assertTrue(store.issueState(STATE_LIFETIME).isPresent(), "expired states no longer count");
    }

    @Test
    void aSessionStartedOnOneReplicaIsKnownToAnotherAndEndsOnBoth() {
        SessionStore first = open();
        SessionStore second = replica();
        Session session = first.create(ALICE, LIFETIME);
        assertEquals(session, second.find(session.id()).orElseThrow());
        second.remove(session.id());
        assertEquals(Optional.empty(), first.find(session.id()));
    }

    @Test
    void aStateRacedByReplicasIsUsedByExactlyOne() throws Exception {
        SessionStore first = open();
        SessionStore second = replica();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                String state = (round % 2 == 0 ? first : second).issueState(STATE_LIFETIME).orElseThrow();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> racers = new ArrayList<>();
                for (SessionStore store : List.of(first, second, first, second)) {
                    Callable<Boolean> consume = () -> {
                        go.await();
                        return store.consumeState(state);
                    };
                    racers.add(threads.submit(consume));
                }
                go.countDown();
                int winners = 0;
                for (Future<Boolean> racer : racers) {
                    winners += racer.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, winners, "round " + round);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
