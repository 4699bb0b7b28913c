package dev.driftless.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code state} values of GitHub sign-ins in progress. A state is random, bound to the browser by
 * a cookie holding the same value, short-lived, and used once: the callback must bring it back both in
 * the query (from GitHub) and in the cookie (from the browser that started the sign-in), which stops
 * login CSRF and replayed callbacks.
 */
final class OAuthStates {
    static final String COOKIE = "driftless_oauth_state";
    private static final int MAX_PENDING = 10_000;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final Clock clock;

    OAuthStates(Duration lifetime, Clock clock) {
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A new state, or empty when too many sign-ins are pending (a flood; the caller answers 503). */
    Optional<String> issue() {
        Instant now = clock.instant();
        if (pending.size() >= MAX_PENDING) {
            pending.values().removeIf(expiry -> !expiry.isAfter(now));
            if (pending.size() >= MAX_PENDING) {
                return Optional.empty();
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        pending.put(state, now.plus(lifetime));
        return Optional.of(state);
    }

    /**
     * Whether the callback's state is one we issued, not expired, and the same as the browser's cookie.
     * A state issued to this browser is consumed by the check, whatever its outcome.
     */
    boolean consume(String fromQuery, String fromCookie) {
        if (fromQuery == null || fromCookie == null || fromQuery.isEmpty()) {
            return false;
        }
        Instant expiry = pending.remove(fromCookie);
        return expiry != null && expiry.isAfter(clock.instant())
                && MessageDigest.isEqual(fromQuery.getBytes(StandardCharsets.UTF_8), fromCookie.getBytes(StandardCharsets.UTF_8));
    }

    Duration lifetime() {
        return lifetime;
    }
}
