package dev.driftless.gateway;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per key (client IP, function). A request takes a token; an empty bucket answers
 * how long until the next token, which becomes {@code Retry-After}. Buckets that have refilled
 * completely carry no information and are dropped by {@link #sweep}, which keeps memory bounded by
 * the keys active in the last refill period.
 */
final class TokenBuckets<K> {
    private final double tokensPerNano;
    private final double capacity;
    private final Map<K, Bucket> buckets = new ConcurrentHashMap<>();

    TokenBuckets(int perMinute, int capacity) {
        this.tokensPerNano = perMinute / 60e9;
        this.capacity = capacity;
    }

    /** Takes a token for {@code key}; empty when allowed, else the nanoseconds until a token is back. */
    OptionalLong take(K key, long nowNanos) {
        Bucket bucket = buckets.get(key); // a plain read first: the capturing lambda below allocates
        if (bucket == null) {
            bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, nowNanos));
        }
        return bucket.take(nowNanos);
    }

    void sweep(long nowNanos) {
        buckets.values().removeIf(bucket -> bucket.full(nowNanos));
    }

    int size() {
        return buckets.size();
    }

    private final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        synchronized OptionalLong take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return OptionalLong.empty();
            }
            return OptionalLong.of((long) Math.ceil((1 - tokens) / tokensPerNano));
        }

        synchronized boolean full(long now) {
            refill(now);
            return tokens >= capacity;
        }

        private void refill(long now) {
            if (now > updated) {
                tokens = Math.min(capacity, tokens + (now - updated) * tokensPerNano);
                updated = now;
            }
        }
    }
}
