package dev.driftless.status;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.kohsuke.github.GHAppInstallationToken;
import org.kohsuke.github.GitHub;

/**
 * Installation access tokens of a GitHub App, exchanged through github-api
 * ({@code GHAppInstallation.createToken()}: {@code POST /app/installations/{id}/access_tokens}) and cached per installation until {@link #REFRESH_BEFORE} before {@code expires_at} (tokens live one hour).
 * Thread-safe; a lock per installation keeps one exchange in flight per installation while other
 * installations go on.
 */
final class InstallationTokens {
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);

    private final GitHub app;
    private final Clock clock;
    private final ConcurrentMap<Long, Slot> slots = new ConcurrentHashMap<>();

    /** @param app the client that authenticates as the App (its JWT) */
    InstallationTokens(GitHub app, Clock clock) {
        this.app = app;
        this.clock = clock;
    }

    private record Cached(String token, Instant refreshAt) {}

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile Cached cached; // one volatile write, so readers never pair a token with another's expiry
    }

    /** @throws IOException github-api's {@code HttpException} when GitHub refused the exchange */
    String token(long installationId) throws IOException {
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
            GHAppInstallationToken answer = GitHubClients.installation(app, installationId).createToken().create();
            String token = answer.getToken();
            Instant expiry = answer.getExpiresAt();
            if (token == null || expiry == null) {
                throw new IOException("token exchange for installation " + installationId + " answered without token/expires_at");
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
