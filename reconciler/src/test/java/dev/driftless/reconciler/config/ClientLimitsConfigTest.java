package dev.driftless.reconciler.config;

import dev.driftless.gateway.RateLimit;
import dev.driftless.gateway.SiteArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Per-client limits of the HTTPS port: functions, login, dashboard and git, each a rate and a burst of its own. */
class ClientLimitsConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreStrictForLoginAndTheBurstIsNotTheRate() {
        DriftlessConfig.ClientLimits limits = new ConfigLoader(Map.of()).load(Optional.empty()).clientLimits();
        assertEquals(new RateLimit(600, 100), limits.functions());
        assertEquals(new RateLimit(10, 5), limits.site().get(SiteArea.LOGIN));
        assertEquals(new RateLimit(300, 60), limits.site().get(SiteArea.DASHBOARD));
        assertEquals(new RateLimit(120, 30), limits.site().get(SiteArea.GIT));
    }

    @Test
    void eachRateAndBurstIsItsOwnSettingInTheFileAndTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("driftless.yml"), """
                limits:
                  functions: { perMinute: 1200, burst: 50 }
                  login: { perMinute: 4 }
                  git: { burst: 8 }
                """);
        DriftlessConfig.ClientLimits limits = new ConfigLoader(Map.of("DRIFTLESS_LOGIN_RATE_BURST", "2",
                "DRIFTLESS_DASHBOARD_RATE_LIMIT", "90")).load(Optional.of(file)).clientLimits();
        assertEquals(new RateLimit(1200, 50), limits.functions());
        assertEquals(new RateLimit(4, 2), limits.site().get(SiteArea.LOGIN));
        assertEquals(new RateLimit(90, 60), limits.site().get(SiteArea.DASHBOARD));
        assertEquals(new RateLimit(120, 8), limits.site().get(SiteArea.GIT));
    }

    @Test
    void aMalformedLimitNamesTheSetting() {
        assertEquals("DRIFTLESS_LOGIN_RATE_LIMIT: not a positive number: '0'", assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("DRIFTLESS_LOGIN_RATE_LIMIT", "0")).load(Optional.empty())).getMessage());
        assertEquals("DRIFTLESS_RATE_BURST: not a positive number: 'lots'", assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("DRIFTLESS_RATE_BURST", "lots")).load(Optional.empty())).getMessage());
    }
}
