package dev.driftless.gateway;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory side of the R.E.D. figures. Per function two rings of buckets: 61 one-minute
 * buckets (the last hour plus the current minute) and 25 one-hour buckets (the last day plus the
 * current hour). Each bucket holds counts and a fixed log-scale latency histogram, so memory is about
 * 86 x 65 ints per function whatever the traffic. Functions idle for a day are dropped by {@link #sweep}.
 */
final class TrafficRecorder implements FunctionTraffic {
    /** Upper bounds in ms, each 1.25x the previous, from 0.1 ms to about 2 min; the last bucket is open. */
    static final double[] BOUNDS = bounds();
    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;

    private final Clock clock;
    private final Map<FunctionAddress, Series> series = new ConcurrentHashMap<>();

    TrafficRecorder(Clock clock) {
        this.clock = clock;
    }

    void record(FunctionAddress address, int status, long durationNanos) {
        long now = clock.millis();
        series.computeIfAbsent(address, a -> new Series()).record(now, status >= 500, durationNanos / 1e6);
    }

    @Override
    public Summary traffic(FunctionAddress address, Duration window) {
        Series s = series.get(address);
        return s == null ? Summary.NONE : s.summary(clock.millis(), window);
    }

    void sweep() {
        long now = clock.millis();
        series.values().removeIf(s -> s.idleSince(now, HOUR * 25));
    }

    private static double[] bounds() {
        double[] bounds = new double[64];
        double bound = 0.1;
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = bound;
            bound *= 1.25;
        }
        return bounds;
    }

    static int bucketOf(double millis) {
        for (int i = 0; i < BOUNDS.length; i++) {
            if (millis <= BOUNDS[i]) {
                return i;
            }
        }
        return BOUNDS.length;
    }

    private static final class Series {
        private final Ring minutes = new Ring(61, MINUTE);
        private final Ring hours = new Ring(25, HOUR);
        private long last;

        synchronized void record(long now, boolean error, double millis) {
            int bucket = bucketOf(millis);
            minutes.add(now, error, bucket);
            hours.add(now, error, bucket);
            last = now;
        }

        synchronized Summary summary(long now, Duration window) {
            Ring ring = window.toMillis() <= HOUR ? minutes : hours;
            return ring.summary(now, window.toMillis());
        }

        synchronized boolean idleSince(long now, long limit) {
            return now - last > limit;
        }
    }

    /** Fixed slots indexed by time; a slot whose period is over is reset before reuse. */
    private static final class Ring {
        private final long width;
        private final long[] period;
        private final long[] requests;
        private final long[] errors;
        private final int[][] latency;

        Ring(int slots, long width) {
            this.width = width;
            this.period = new long[slots];
            this.requests = new long[slots];
            this.errors = new long[slots];
            this.latency = new int[slots][BOUNDS.length + 1];
            java.util.Arrays.fill(period, -1);
        }

        void add(long now, boolean error, int bucket) {
            long p = now / width;
            int slot = (int) (p % period.length);
            if (period[slot] != p) {
                period[slot] = p;
                requests[slot] = 0;
                errors[slot] = 0;
                java.util.Arrays.fill(latency[slot], 0);
            }
            requests[slot]++;
            if (error) {
                errors[slot]++;
            }
            latency[slot][bucket]++;
        }

        Summary summary(long now, long windowMillis) {
            long current = now / width;
            long oldest = current - Math.min(period.length - 1, Math.max(1, (windowMillis + width - 1) / width)) + 1;
            long total = 0;
            long failed = 0;
            long[] histogram = new long[BOUNDS.length + 1];
            for (int slot = 0; slot < period.length; slot++) {
                if (period[slot] >= oldest && period[slot] <= current) {
                    total += requests[slot];
                    failed += errors[slot];
                    for (int b = 0; b < histogram.length; b++) {
                        histogram[b] += latency[slot][b];
                    }
                }
            }
            if (total == 0) {
                return Summary.NONE;
            }
            return new Summary(total, failed, quantile(histogram, total, 0.5), quantile(histogram, total, 0.9),
                    quantile(histogram, total, 0.99));
        }

        /** Linear interpolation inside the bucket that holds the rank. */
        private static double quantile(long[] histogram, long total, double q) {
            double rank = q * total;
            long seen = 0;
            for (int b = 0; b < histogram.length; b++) {
                if (histogram[b] == 0) {
                    continue;
                }
                if (seen + histogram[b] >= rank) {
                    double lower = b == 0 ? 0 : BOUNDS[b - 1];
                    double upper = b < BOUNDS.length ? BOUNDS[b] : BOUNDS[BOUNDS.length - 1] * 1.25;
                    double within = (rank - seen) / histogram[b];
                    return lower + (upper - lower) * within;
                }
                seen += histogram[b];
            }
            return BOUNDS[BOUNDS.length - 1];
        }
    }
}
