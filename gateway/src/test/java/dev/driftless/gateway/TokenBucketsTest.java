package dev.driftless.gateway;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstThenOneTokenPerRefillPeriodAndAnHonestWait() {
        TokenBuckets<String> buckets = new TokenBuckets<>(600, 3); // 10 per second
        long t = 0;
        for (int i = 0; i < 3; i++) {
            assertTrue(buckets.take("a", t).isEmpty());
        }
        OptionalLong wait = buckets.take("a", t);
        assertEquals(SECOND / 10, wait.orElseThrow(), SECOND / 1000);
        assertTrue(buckets.take("b", t).isEmpty(), "clients have their own buckets");
        assertTrue(buckets.take("a", t + SECOND / 10).isEmpty());
        assertTrue(buckets.take("a", t + SECOND / 10).isPresent());
    }

    @Test
    void fullBucketsAreSweptAway() {
        TokenBuckets<String> buckets = new TokenBuckets<>(60, 2);
        buckets.take("a", 0);
        buckets.take("b", 0);
        buckets.sweep(SECOND / 2);
        assertEquals(2, buckets.size());
        buckets.sweep(2 * SECOND);
        assertEquals(0, buckets.size());
    }

    @Test
    void concurrencyPermitsAreReleasedOnce() {
        ConcurrencyLimit<String> limit = new ConcurrencyLimit<>(2);
        Runnable first = limit.tryAcquire("a");
        Runnable second = limit.tryAcquire("a");
        assertNull(limit.tryAcquire("a"));
        first.run();
        first.run();
        assertEquals(1, limit.inFlight("a"));
        second.run();
        assertEquals(0, limit.inFlight("a"));
    }
}
