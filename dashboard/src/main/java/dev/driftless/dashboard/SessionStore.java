package dev.driftless.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the dashboard keeps logged-in sessions and the {@code state} values of GitHub sign-ins in
 * progress. The daemon keeps them in its database, so every replica behind one Service knows every session
 * and a restart logs nobody out; {@link InMemorySessionStore} serves a lone dashboard and its tests.
 *
 * <p>The browser's cookie holds the session id or state; a store keeps only their {@link SessionSecrets#hash}, so
 * what it holds cannot be replayed. Every method may block (JDBC): the dashboard calls them on its worker
 * pool, never on the event loop. A failing store throws an unchecked exception.
 */
public interface SessionStore {
    /** Pending sign-ins past which {@link #issueState} refuses new ones: a flood of sign-ins started and never finished. */
    int MAX_PENDING_STATES = 10_000;

    /** A logged-in session: the id is the cookie's value, the CSRF token goes into every form. */
    record Session(String id, Principal principal, String csrfToken, Instant expiresAt) {
        @Override
        public String toString() {
            return "Session[" + principal.name() + " until " + expiresAt + "]"; // no secrets in logs
        }
    }

    /** A new session for {@code principal} with a fresh id and CSRF token, valid for {@code lifetime}. */
    Session create(Principal principal, Duration lifetime);

    /** The session with this id (the cookie's value, may be null); empty when unknown or expired (an expired one is deleted). */
    Optional<Session> find(String id);

    /** Ends the session with this id (logout); nothing when there is none. */
    void remove(String id);

    /** Deletes the expired sessions and states; returns how many. Stores also sweep when sessions are created or states issued. */
    int expire();

    /** A new state valid for {@code lifetime}, or empty when too many sign-ins are pending (the caller answers 503). */
    Optional<String> issueState(Duration lifetime);

    /**
     * Uses up a state (may be null): true for exactly one caller, across replicas, when it was issued and
     * has not expired; false for an unknown, expired or already used one.
     */
    boolean consumeState(String state);
}
