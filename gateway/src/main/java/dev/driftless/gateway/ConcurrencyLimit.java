package dev.driftless.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** At most {@code max} requests in flight per key (client IP); a permit is released exactly once. */
final class ConcurrencyLimit<K> {
    private final int max;
    private final Map<K, Integer> inFlight = new ConcurrentHashMap<>();

    ConcurrencyLimit(int max) {
        this.max = max;
    }

    /** A permit, or null when {@code key} already has {@code max} requests in flight. */
    Runnable tryAcquire(K key) {
        boolean[] granted = new boolean[1];
        inFlight.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current >= max) {
                return current;
            }
            granted[0] = true;
            return current + 1;
        });
        if (!granted[0]) {
            return null;
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                // Removing the entry at zero keeps the map as small as the set of active clients.
                inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            }
        };
    }

    int inFlight(K key) {
        return inFlight.getOrDefault(key, 0);
    }
}
