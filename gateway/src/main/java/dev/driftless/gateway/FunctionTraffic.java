package dev.driftless.gateway;

import java.time.Duration;

/**
 * Requests, errors and latency percentiles of one function over a recent window, kept in memory by
 * the gateway for the dashboard. Windows up to an hour have one-minute resolution, longer ones (up to
 * a day) one-hour resolution; a window is rounded up to whole buckets.
 */
public interface FunctionTraffic {
    Duration LAST_HOUR = Duration.ofHours(1);
    Duration LAST_DAY = Duration.ofDays(1);

    Summary traffic(FunctionAddress address, Duration window);

    /**
     * @param requests   requests answered (any status)
     * @param errors     of those, answered with 5xx (including the gateway's own 502/504)
     * @param p50Millis  latency percentiles in milliseconds, estimated from a fixed log-scale histogram (25% steps); 0 when no requests
     */
    record Summary(long requests, long errors, double p50Millis, double p90Millis, double p99Millis) {
        public static final Summary NONE = new Summary(0, 0, 0, 0, 0);
    }
}
