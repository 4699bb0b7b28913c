package dev.driftless.gateway;

import dev.driftless.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficRecorderTest {

    private static final FunctionAddress FN = new FunctionAddress("alice", "hello");

    @Test
    void percentilesComeFromTheHistogramWithinItsStepSize() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:30Z"));
        TrafficRecorder recorder = new TrafficRecorder(clock);
        for (int ms = 1; ms <= 100; ms++) {
            recorder.record(FN, ms == 100 ? 503 : 200, ms * 1_000_000L);
        }
        FunctionTraffic.Summary hour = recorder.traffic(FN, FunctionTraffic.LAST_HOUR);
        assertEquals(100, hour.requests());
        assertEquals(1, hour.errors());
        assertEquals(50, hour.p50Millis(), 50 * 0.25);
        assertEquals(90, hour.p90Millis(), 90 * 0.25);
        assertEquals(99, hour.p99Millis(), 99 * 0.25);
        assertEquals(FunctionTraffic.Summary.NONE, recorder.traffic(new FunctionAddress("bob", "x"), FunctionTraffic.LAST_HOUR));
    }

    @Test
    void oldMinutesLeaveTheHourButStayInTheDayUntilItPasses() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:30Z"));
        TrafficRecorder recorder = new TrafficRecorder(clock);
        recorder.record(FN, 200, 5_000_000);
        clock.advance(Duration.ofMinutes(30));
        recorder.record(FN, 500, 5_000_000);
        assertEquals(2, recorder.traffic(FN, FunctionTraffic.LAST_HOUR).requests());

        clock.advance(Duration.ofMinutes(45));
        FunctionTraffic.Summary hour = recorder.traffic(FN, FunctionTraffic.LAST_HOUR);
        assertEquals(1, hour.requests(), "the first request is 75 minutes old");
        assertEquals(1, hour.errors());
        assertEquals(2, recorder.traffic(FN, FunctionTraffic.LAST_DAY).requests());
        assertEquals(1, recorder.traffic(FN, Duration.ofMinutes(50)).requests());

        clock.advance(Duration.ofHours(25));
        assertEquals(0, recorder.traffic(FN, FunctionTraffic.LAST_DAY).requests());
        recorder.sweep();
        assertEquals(FunctionTraffic.Summary.NONE, recorder.traffic(FN, FunctionTraffic.LAST_DAY));
    }

    @Test
    void aRingSlotIsReusedOnlyAfterItsPeriod() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:30Z"));
        TrafficRecorder recorder = new TrafficRecorder(clock);
        recorder.record(FN, 200, 1_000_000);
        clock.advance(Duration.ofMinutes(61)); // same minute slot index, next lap
        recorder.record(FN, 200, 1_000_000);
        assertEquals(1, recorder.traffic(FN, FunctionTraffic.LAST_HOUR).requests());
        assertTrue(recorder.traffic(FN, FunctionTraffic.LAST_DAY).requests() == 2);
    }
}
