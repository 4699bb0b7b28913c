package dev.driftless.status;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Installation access tokens of a GitHub App, exchanged with {@code POST /app/installations/{id}/access_tokens}
 * and cached per installation until {@link #REFRESH_BEFORE} before {@code expires_at} (tokens live one hour).
 * Thread-safe; a lock per installation keeps one exchange in flight per installation while other
 * installations go on.
 */
final class InstallationTokens {
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);

    private final GitHubHttp http;
    private final AppJwt jwt;
    private final Clock clock;
    private final ConcurrentMap<Long, Slot> slots = new ConcurrentHashMap<>();

    InstallationTokens(GitHubHttp http, AppJwt jwt, Clock clock) {
        this.http = http;
        this.jwt = jwt;
        this.clock = clock;
    }

    private record Cached(String token, Instant refreshAt) {}

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile Cached cached; // one volatile write, so readers never pair a token with another's expiry
    }

    String token(long installationId) throws IOException, GitHubCallException {
        Slot slot = slots.computeIfAbsent(installationId, id -> new Slot());
        String cached = valid(slot);
        if (cached != null) {
            return cached;
        }
        slot.lock.lock();
        try {
            cached = valid(slot);
            if (cached != null) {
                return cached; // another thread exchanged while we waited
            }
            GitHubResponse response = http.send("POST", "/app/installations/" + installationId + "/access_tokens", jwt.create(), null);
            if (!response.successful()) {
                throw new GitHubCallException("token exchange for installation " + installationId, response);
            }
            var json = response.json();
            String token = json.getValue("token") instanceof String s ? s : null;
            String expiresAt = json.getValue("expires_at") instanceof String s ? s : null;
            if (token == null || expiresAt == null) {
                throw new IOException("token exchange for installation " + installationId + " answered without token/expires_at");
            }
            Instant expiry;
            try {
                expiry = Instant.parse(expiresAt);
            } catch (DateTimeParseException e) {
                throw new IOException("token exchange answered an unreadable expires_at: " + expiresAt);
            }
            slot.cached = new Cached(token, expiry.minus(REFRESH_BEFORE));
            return token;
        } finally {
            slot.lock.unlock();
        }
    }

    /** Forgets the cached token (GitHub answered 401 with it: revoked, or the installation changed). */
    void invalidate(long installationId) {
        Slot slot = slots.get(installationId);
        if (slot != null) {
            slot.cached = null;
        }
    }

    private String valid(Slot slot) {
        Cached cached = slot.cached;
        return cached != null && clock.instant().isBefore(cached.refreshAt()) ? cached.token() : null;
    }
}
