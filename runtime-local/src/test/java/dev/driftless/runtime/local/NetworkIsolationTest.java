package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.driftless.gateway.Gateway;
import dev.driftless.gateway.GatewayConfig;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.testsupport.RealComponent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants are walled off on one machine: under bubblewrap with pasta, each instance has its own network
 * namespace. A python3 probe function of a third owner tries TCP connections to the two other owners'
 * instance ports, to a daemon HTTP port and to the test PostgreSQL, all on the host's loopback (each one
 * reachable from the host, checked first): none connects. The real HTTPS gateway still serves all three. With
 * egress allowed the probe reaches a server in a separate network namespace this test builds (a veth pair on
 * {@code 10.99.<n>.0/30}, addresses of its own), standing in for the outside world; with egress denied it does not.
 */
class NetworkIsolationTest {
    private static final int OUTSIDE_PORT = 8099;

    @TempDir
    Path data;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private Vertx vertx;
    private Gateway gateway;
    private InMemoryRouteTable routes;
    private HttpClient client;
    private TestImages images;
    private OutsideNamespace outside;

    @BeforeEach
    void start() throws Exception {
        RealComponent.BWRAP.require();
        RealComponent.PASTA.require();
        outside = OutsideNamespace.create();
        images = TestImages.shared();
        vertx = Vertx.vertx();
        routes = new InMemoryRouteTable();
        gateway = Gateway.create(GatewayConfig.builder()
                        .domain("localhost").bindHost("127.0.0.1").httpsPort(0)
                        .dataFolder(data.resolve("gateway")).routes(routes).metrics(new PrometheusRegistry())
                        .clientRateLimit(1_000_000, 1_000_000).clientMaxConcurrent(1_000)
                        .build())
                .start(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        client = HttpClient.newBuilder()
                .sslContext(trusting(gateway.caCertificate().orElseThrow()))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        if (gateway != null) {
            gateway.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (outside != null) {
            outside.close();
        }
    }

    @Test
    void aFunctionReachesNeitherOtherTenantsNorTheHostLoopbackButTheOutsideWorld() throws Exception {
        LocalRuntime runtime = runtime(Egress.ALLOW);
        deploy(runtime, "alice", "hello");
        deploy(runtime, "bob", "hello");
        deploy(runtime, "mallory", "probe");
        HttpServer daemonApi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        daemonApi.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        daemonApi.start();
        cleanup.add(() -> daemonApi.stop(0));
        URI pg = URI.create(RealComponent.POSTGRES.require().substring("jdbc:".length()));

        Map<String, Integer> loopback = new LinkedHashMap<>();
        loopback.put("alice's instance", backendPort("alice", "hello"));
        loopback.put("bob's instance", backendPort("bob", "hello"));
        loopback.put("the daemon's HTTP port", daemonApi.getAddress().getPort());
        loopback.put("the gateway's HTTPS port", gateway.httpsPort());
        loopback.put("PostgreSQL", pg.getPort());
        for (Map.Entry<String, Integer> target : loopback.entrySet()) {
            assertTrue(connectsFromHost("127.0.0.1", target.getValue()), target.getKey() + " listens on the host");
            String seen = probe("127.0.0.1", target.getValue());
            assertTrue(seen.startsWith("not connected"), "the probe reached " + target.getKey() + ": " + seen);
        }

        assertEquals("connected", probe(outside.address(), OUTSIDE_PORT), "egress allowed: the outside is reachable");
        for (String owner : List.of("alice", "bob")) {
            assertEquals("one", viaGateway(owner, "hello", "/"), "the gateway still serves " + owner);
        }
    }

    @Test
    void withEgressDeniedTheOutsideIsUnreachableAndTheGatewayStillServes() throws Exception {
        LocalRuntime runtime = runtime(Egress.DENY);
        deploy(runtime, "mallory", "probe");

        String seen = probe(outside.address(), OUTSIDE_PORT);

        assertTrue(seen.startsWith("not connected"), seen);
        assertEquals("one", viaGateway("mallory", "probe", "/"));
    }

    private LocalRuntime runtime(Egress egress) {
        LocalRuntime runtime = new LocalRuntime(LocalRuntimeSettings.defaults(data)
                .withBubblewrap(Optional.of(Path.of(RealComponent.BWRAP.require())))
                .withPasta(Optional.of(Path.of(RealComponent.PASTA.require())))
                .withEgress(egress)
                .withHealthTimeout(Duration.ofSeconds(20))
                .withStopGrace(Duration.ofSeconds(2)), images, routes);
        cleanup.add(runtime);
        return runtime;
    }

    private void deploy(LocalRuntime runtime, String owner, String function) throws Exception {
        RolloutResult result = runtime.deploy(new FunctionDeployment(owner, "fns", function, images.v1, "c1", 1,
                Map.of(), List.of(), Map.of(), Map.of(), FunctionDeployment.Resources.none(), true));
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
    }

    private int backendPort(String owner, String function) {
        return routes.lookup(new dev.driftless.gateway.FunctionAddress(owner, function)).orElseThrow().port();
    }

    /** What the probe function says when asked, through the gateway, to connect to {@code host:port}. */
    private String probe(String host, int port) throws Exception {
        return viaGateway("mallory", "probe", "/_/connect?host=" + host + "&port=" + port);
    }

    private String viaGateway(String owner, String function, String path) throws Exception {
        URI uri = URI.create("https://localhost:" + gateway.httpsPort() + "/f/" + owner + "/" + function + path);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return response.body();
    }

    private static boolean connectsFromHost(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            store.setCertificateEntry("driftless-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * A network namespace standing for the outside world: {@code ip netns add}, a veth pair with
     * {@code 10.99.<n>.1/30} on the host side and {@code 10.99.<n>.2/30} inside, and a python3 HTTP server on
     * the inside address. Needs root (as CI runs); elsewhere the test is skipped, under {@code CI=true} it fails.
     */
    private record OutsideNamespace(String name, String hostLink, String address, Process server) implements AutoCloseable {
        static OutsideNamespace create() throws Exception {
            if (!PastaNetwork.runningAsRoot()) {
                String why = "building a test network namespace needs root";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail(why);
                }
                org.junit.jupiter.api.Assumptions.abort(why);
            }
            // Random names and subnet, not the pid: CI containers reuse pids from run to run, and a run killed
            // before close() leaves its veth pair and address behind.
            String tag = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32, 1L << 36));
            String name = "driftless-i10-" + tag;
            String hostLink = "dl" + tag + "h";
            String peer = "dl" + tag + "n";
            String subnet = "10.99." + freeSubnetId() + ".";
            run("ip", "netns", "add", name);
            try {
                run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", peer);
                run("ip", "link", "set", peer, "netns", name);
                run("ip", "addr", "add", subnet + "1/30", "dev", hostLink);
                run("ip", "link", "set", hostLink, "up");
                run("ip", "netns", "exec", name, "ip", "addr", "add", subnet + "2/30", "dev", peer);
                run("ip", "netns", "exec", name, "ip", "link", "set", peer, "up");
                Process server = new ProcessBuilder("ip", "netns", "exec", name, "python3", "-m", "http.server",
                        Integer.toString(OUTSIDE_PORT), "--bind", subnet + "2")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                OutsideNamespace ns = new OutsideNamespace(name, hostLink, subnet + "2", server);
                for (int i = 0; i < 100 && !connectsFromHost(ns.address, OUTSIDE_PORT); i++) {
                    Thread.sleep(100);
                }
                if (!connectsFromHost(ns.address, OUTSIDE_PORT)) {
                    ns.close();
                    throw new IOException("the outside server in " + name + " does not answer");
                }
                return ns;
            } catch (Exception e) {
                run("ip", "netns", "del", name);
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            server.descendants().forEach(ProcessHandle::destroy);
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
            run("ip", "netns", "del", name); // takes the veth pair with it
        }

        /** A third octet no address on the host uses yet, so the /30 route is ours alone. */
        private static int freeSubnetId() throws IOException, InterruptedException {
            Process process = new ProcessBuilder("ip", "-o", "addr", "show").redirectErrorStream(true).start();
            String addresses = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            for (int attempt = 0; attempt < 500; attempt++) {
                int id = java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 251);
                if (!addresses.contains(" 10.99." + id + ".")) {
                    return id;
                }
            }
            throw new IOException("no free 10.99.x.0/30 subnet for the outside namespace");
        }

        private static void run(String... command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.strip());
            }
        }
    }
}
