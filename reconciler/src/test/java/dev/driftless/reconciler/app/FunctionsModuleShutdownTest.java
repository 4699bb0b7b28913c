package dev.driftless.reconciler.app;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.e2e.KubernetesClientProperties;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The functions module in Kubernetes mode stops in reverse order of creation: the Lease after the resync, the store last. */
class FunctionsModuleShutdownTest {
    @TempDir
    Path dir;

    @Test
    void theLeaseIsReleasedAfterTheResyncStopsAndTheStoreClosesLast() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        try (KubernetesClientProperties cluster = KubernetesClientProperties.pointAt(server.url("/"))) {
            DriftlessConfig config = new ConfigLoader(Map.of(
                    "DRIFTLESS_DATA", dir.resolve("data").toString(),
                    "DRIFTLESS_HTTP_PORT", "0",
                    "DRIFTLESS_HTTPS_PORT", "0",
                    "DRIFTLESS_RUNTIME", "kubernetes",
                    "DRIFTLESS_WORKERS", "1")).load(Optional.empty());
            Daemon daemon = Daemon.start(config, List.of(new FunctionsModule()));
            daemon.close();
            List<String> order = daemon.closedInOrder();
            assertTrue(order.indexOf("resync") >= 0 && order.indexOf("lease") > order.indexOf("resync"), order.toString());
            assertTrue(order.indexOf("runtime") > order.indexOf("resync"), order.toString());
            assertTrue(order.indexOf("gateway") > order.indexOf("git-pool"), order.toString());
            assertEquals("store", order.get(order.size() - 1), order.toString());
        } finally {
            server.destroy();
        }
    }
}
