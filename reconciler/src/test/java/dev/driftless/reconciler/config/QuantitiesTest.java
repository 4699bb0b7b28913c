package dev.driftless.reconciler.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuantitiesTest {
    @Test
    void durations() {
        assertEquals(Duration.ofSeconds(30), Quantities.duration("30s"));
        assertEquals(Duration.ofMinutes(5), Quantities.duration("5m"));
        assertEquals(Duration.ofMinutes(90), Quantities.duration("1h30m"));
        assertEquals(Duration.ofMillis(250), Quantities.duration("250ms"));
        assertEquals(Duration.ofDays(2), Quantities.duration("2d"));
        for (String bad : new String[] {"", "5", "m5", "5 m", "5x", "1h 30m", "-5m"}) {
            assertThrows(IllegalArgumentException.class, () -> Quantities.duration(bad), bad);
        }
    }

    @Test
    void sizes() {
        assertEquals(25L * 1024 * 1024, Quantities.bytes("25MiB"));
        assertEquals(1024, Quantities.bytes("1KiB"));
        assertEquals(1000, Quantities.bytes("1kb"));
        assertEquals(3_000_000_000L, Quantities.bytes("3GB"));
        assertEquals(1048576, Quantities.bytes("1048576"));
        for (String bad : new String[] {"", "MiB", "1.5MiB", "-1", "99999999999999999999", "9999999999GiB", "1 TB"}) {
            assertThrows(IllegalArgumentException.class, () -> Quantities.bytes(bad), bad);
        }
    }
}
