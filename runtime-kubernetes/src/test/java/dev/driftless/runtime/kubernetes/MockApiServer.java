package dev.driftless.runtime.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.time.Duration;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The mock API server (CRUD) with the simulated deployment controller, as a process of its own: the
 * benchmark runs it in a child JVM so that the heap it measures is the runtime's, not the mock's store.
 * Prints {@code url <master url>} on its first line, answers a line {@code count} with {@code count <requests served>},
 * and stops when its standard input closes.
 */
public final class MockApiServer {

    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.WARNING);
        for (var handler : Logger.getLogger("").getHandlers()) {
            handler.setLevel(Level.WARNING);
        }
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        KubernetesClient client = server.createClient();
        try (FakeDeploymentController controller = new FakeDeploymentController(client, Duration.ofSeconds(5))) {
            System.out.println("url " + server.url("/"));
            System.out.flush();
            // "count" asks for the server's own request count (everything it answered, the controller's requests too)
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("count")) {
                    System.out.println("count " + server.getRequestCount());
                    System.out.flush();
                }
            }
        } finally {
            client.close();
            server.destroy();
        }
        System.exit(0);
    }
}
