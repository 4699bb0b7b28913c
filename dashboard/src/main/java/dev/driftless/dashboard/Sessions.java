package dev.driftless.dashboard;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in sessions, kept in memory: a restart logs everyone out, which is acceptable for an admin
 * tool and keeps session secrets out of the database. Each session has its own CSRF token.
 */
final class Sessions {
    static final String COOKIE = "driftless_session";
    private static final int MAX_SESSIONS = 10_000;

    record Session(String id, Principal principal, String csrfToken, Instant expiresAt) { }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final Clock clock;

    Sessions(Duration lifetime, Clock clock) {
        this.lifetime = lifetime;
        this.clock = clock;
    }

    Session create(Principal principal) {
        if (sessions.size() >= MAX_SESSIONS) {
            Instant now = clock.instant();
            sessions.values().removeIf(s -> s.expiresAt().isBefore(now));
        }
        Session session = new Session(randomToken(), principal, randomToken(), clock.instant().plus(lifetime));
        sessions.put(session.id(), session);
        return session;
    }

    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        if (session.expiresAt().isBefore(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(session);
    }

    void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    Duration lifetime() {
        return lifetime;
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
