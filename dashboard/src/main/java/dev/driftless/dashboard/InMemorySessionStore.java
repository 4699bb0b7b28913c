package dev.driftless.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Sessions and sign-in states in this process's memory, by hash like the database: for a dashboard on its
 * own and for tests. A restart logs everyone out, and replicas do not share it.
 */
public final class InMemorySessionStore implements SessionStore {
    /** Past this many sessions, creating one first drops the expired ones. */
    private static final int SWEEP_AT = 10_000;

    private record Stored(Principal principal, String csrfToken, Instant expiresAt) { }

    private final Map<String, Stored> sessions = new ConcurrentHashMap<>();
    private final Map<String, Instant> states = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int maxPendingStates;

    public InMemorySessionStore(Clock clock) {
        this(clock, MAX_PENDING_STATES);
    }

    /** With another cap on pending sign-ins than {@link SessionStore#MAX_PENDING_STATES}, for tests of the flood guard. */
    public InMemorySessionStore(Clock clock, int maxPendingStates) {
        this.clock = clock;
        this.maxPendingStates = maxPendingStates;
    }

    @Override
    public Session create(Principal principal, Duration lifetime) {
        if (sessions.size() >= SWEEP_AT) {
            expire();
        }
        Session session = new Session(SessionSecrets.newSecret(), principal, SessionSecrets.newSecret(),
                clock.instant().plus(lifetime));
        sessions.put(SessionSecrets.hash(session.id()),
                new Stored(principal, session.csrfToken(), session.expiresAt()));
        return session;
    }

    @Override
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String hash = SessionSecrets.hash(id);
        Stored stored = sessions.get(hash);
        if (stored == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(stored.expiresAt())) {
            sessions.remove(hash, stored);
            return Optional.empty();
        }
        return Optional.of(new Session(id, stored.principal(), stored.csrfToken(), stored.expiresAt()));
    }

    @Override
    public void remove(String id) {
        if (id != null) {
            sessions.remove(SessionSecrets.hash(id));
        }
    }

    @Override
    public int expire() {
        Instant now = clock.instant();
        return removeExpired(sessions, Stored::expiresAt, now) + removeExpired(states, expiry -> expiry, now);
    }

    private static <V> int removeExpired(Map<String, V> entries, Function<V, Instant> expiry, Instant now) {
        int removed = 0;
        for (Map.Entry<String, V> entry : entries.entrySet()) {
            if (!now.isBefore(expiry.apply(entry.getValue())) && entries.remove(entry.getKey(), entry.getValue())) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public Optional<String> issueState(Duration lifetime) {
        if (states.size() >= maxPendingStates) {
            expire();
            if (states.size() >= maxPendingStates) {
                return Optional.empty();
            }
        }
        String state = SessionSecrets.newSecret();
        states.put(SessionSecrets.hash(state), clock.instant().plus(lifetime));
        return Optional.of(state);
    }

    @Override
    public boolean consumeState(String state) {
        if (state == null) {
            return false;
        }
        Instant expiry = states.remove(SessionSecrets.hash(state));
        return expiry != null && clock.instant().isBefore(expiry);
    }
}
