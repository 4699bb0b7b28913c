package dev.driftless.gateway;

/**
 * A token bucket's shape: {@code perMinute} tokens come back per minute, at most {@code burst} wait in the
 * bucket (the requests a client may send at once after a quiet spell).
 */
public record RateLimit(int perMinute, int burst) {
    public RateLimit {
        if (perMinute <= 0 || burst <= 0) {
            throw new IllegalArgumentException("a rate limit needs a positive rate per minute and burst (was "
                    + perMinute + "/min, burst " + burst + ")");
        }
    }

    @Override
    public String toString() {
        return perMinute + "/min, burst " + burst;
    }
}
