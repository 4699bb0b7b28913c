package dev.driftless.reconciler.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default notification target: URL, format, secret, events, timeout; what needs what is a clear error. */
class NotificationsConfigTest {
    @TempDir
    Path dir;

    @Test
    void noTargetByDefault() {
        DriftlessConfig.Notifications n = new ConfigLoader(Map.of()).load(Optional.empty()).notifications();
        assertTrue(n.url().isEmpty());
        assertEquals("json", n.format());
        assertEquals(Duration.ofSeconds(10), n.timeout());
        assertEquals(List.of(), n.events());
    }

    @Test
    void fromTheFileAndTheEnvironmentWithTheSecretHidden() throws Exception {
        Path file = Files.writeString(dir.resolve("driftless.yml"), """
                notifications:
                  url: https://ci.example.com/hook
                  events: [build.failed, rollout.failed]
                  timeout: 3s
                """);
        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_NOTIFY_SECRET", "s3cret-value"))
                .load(Optional.of(file));
        DriftlessConfig.Notifications n = config.notifications();
        assertEquals(Optional.of(URI.create("https://ci.example.com/hook")), n.url());
        assertEquals(List.of("build.failed", "rollout.failed"), n.events());
        assertEquals(Duration.ofSeconds(3), n.timeout());
        assertEquals("s3cret-value", n.secret().orElseThrow().reveal());
        assertFalse(config.toString().contains("s3cret-value"), "the secret is never printed");
    }

    @Test
    void badValuesNameTheSetting() {
        assertTrue(assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of("DRIFTLESS_NOTIFY_URL", "ftp://x"))
                .load(Optional.empty())).getMessage().startsWith("DRIFTLESS_NOTIFY_URL"));
        assertTrue(assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of("DRIFTLESS_NOTIFY_URL",
                "https://x.example", "DRIFTLESS_NOTIFY_EVENTS", "build.exploded")).load(Optional.empty()))
                .getMessage().contains("unknown event 'build.exploded'"));
        assertEquals("DRIFTLESS_NOTIFY_SECRET: needs DRIFTLESS_NOTIFY_URL", assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("DRIFTLESS_NOTIFY_SECRET", "x")).load(Optional.empty())).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of("DRIFTLESS_NOTIFY_URL",
                "https://hooks.slack.com/services/a", "DRIFTLESS_NOTIFY_FORMAT", "slack", "DRIFTLESS_NOTIFY_SECRET", "x"))
                .load(Optional.empty())).getMessage().contains("Slack messages are not signed"));
        assertTrue(assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of("DRIFTLESS_NOTIFY_URL",
                "https://x.example", "DRIFTLESS_NOTIFY_FORMAT", "xml")).load(Optional.empty()))
                .getMessage().startsWith("DRIFTLESS_NOTIFY_FORMAT"));
    }
}
