package dev.driftless.reconciler.app;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.Webhooks;
import dev.driftless.reconciler.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With the local runtime there is one machine and one process: it leads, and says so on /metrics. */
class LocalLeadershipTest {
    @TempDir
    Path dir;

    @Test
    void theOneLocalProcessLeads() throws Exception {
        try (Daemon daemon = Daemon.start(new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0", "DRIFTLESS_HTTPS_PORT", "0")).load(Optional.empty()),
                List.of(new FunctionsModule()))) {
            HttpResponse<String> metrics = Webhooks.get(daemon.httpPort(), "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("\ndriftless_leader 1.0\n"), metrics.body());
            assertEquals(200, Webhooks.get(daemon.httpPort(), "/readyz").statusCode());
        }
    }
}
