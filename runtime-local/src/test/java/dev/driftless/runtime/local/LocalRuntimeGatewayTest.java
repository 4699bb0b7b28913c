package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.gateway.Gateway;
import dev.driftless.gateway.GatewayConfig;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.testsupport.RealComponent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runtime behind the real HTTPS gateway, sharing its {@link InMemoryRouteTable}: what a user's
 * client sees at {@code https://localhost/f/alice/hello} while a new version rolls out.
 */
class LocalRuntimeGatewayTest {
    @TempDir
    Path data;

    private Vertx vertx;
    private Gateway gateway;
    private LocalRuntime runtime;
    private HttpClient client;
    private TestImages images;

    @BeforeEach
    void start() throws Exception {
        Path bwrap = Path.of(RealComponent.BWRAP.require());
        images = TestImages.shared();
        vertx = Vertx.vertx();
        InMemoryRouteTable routes = new InMemoryRouteTable();
        gateway = Gateway.create(GatewayConfig.builder()
                        .domain("localhost")
                        .bindHost("127.0.0.1")
                        .httpsPort(0)
                        .dataFolder(data.resolve("gateway"))
                        .routes(routes)
                        .metrics(new PrometheusRegistry())
                        .clientRateLimit(1_000_000, 1_000_000)
                        .clientMaxConcurrent(1_000)
                        .build())
                .start(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        runtime = new LocalRuntime(LocalRuntimeSettings.defaults(data)
                .withBubblewrap(Optional.of(bwrap))
                .withHealthTimeout(Duration.ofSeconds(20))
                .withStopGrace(Duration.ofSeconds(2)), images, routes);
        client = HttpClient.newBuilder()
                .sslContext(trusting(gateway.caCertificate().orElseThrow()))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)) // TLS handshakes on a loaded 2-core machine
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
        if (gateway != null) {
            gateway.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void throughTheGatewayARollingUpdateLosesNoRequestAndABrokenVersionChangesNothing() throws Exception {
        RolloutResult first = runtime.deploy(deployment(images.v1, 1));
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, first.outcome(), first::toString);
        assertEquals("one", call("/").body()); // warms up TLS before the clients start
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch warmedUp = new CountDownLatch(20);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> response = call("/?delay=0.03");
                        if (response.statusCode() == 200) {
                            answers.add(response.body());
                        } else {
                            failures.add(response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                    warmedUp.countDown();
                }
            });
            thread.start();
            clients.add(thread);
        }
        assertTrue(warmedUp.await(30, TimeUnit.SECONDS), "clients are calling v1 through the gateway");

        RolloutResult toV2 = runtime.deploy(deployment(images.v2, 2));
        int atSwitch = answers.size();
        RolloutResult broken = runtime.deploy(deployment(images.exits, 3));
        RolloutResult unhealthy = runtime.deploy(deployment(images.unhealthy, 4));
        Thread.sleep(300);
        running.set(false);
        for (Thread thread : clients) {
            thread.join(10_000);
        }

        assertEquals(RolloutResult.Outcome.ROLLED_OUT, toV2.outcome(), toV2::toString);
        assertEquals("ProcessExited", broken.reason(), broken::toString);
        assertEquals("HealthCheckTimeout", unhealthy.reason(), unhealthy::toString);
        assertEquals(List.of(), failures, "no request through the gateway failed");
        List<String> all;
        synchronized (answers) {
            all = List.copyOf(answers);
        }
        assertTrue(all.subList(0, 20).contains("one"));
        List<String> after = all.subList(atSwitch, all.size());
        assertTrue(after.size() > 20, "the failed rollouts ran while clients kept calling: " + after.size());
        // deploy() returns once v2 takes new requests; v1 finishes, off the rollout's path, what it already had.
        assertTrue(after.stream().filter("one"::equals).count() <= clients.size(),
                "after the update v1 answers at most the requests in flight on it: " + after);
        assertFalse(after.subList(after.size() - 20, after.size()).contains("one"),
                "then only v2 answers, also while broken versions fail");
        assertEquals("two", call("/").body());
        assertFalse(runtime.find("alice", "hello").isEmpty());
        assertEquals(images.v2, runtime.find("alice", "hello").orElseThrow().image());
    }

    @Test
    void aRemovedFunctionIsNotFoundAtTheGateway() throws Exception {
        runtime.deploy(deployment(images.v1, 1));
        assertEquals("one", call("/").body());

        runtime.remove("alice", "fns", "hello");

        assertEquals(404, call("/").statusCode());
        assertEquals(Optional.empty(), runtime.find("alice", "hello"));
        assertTrue(runtime.listOwner("alice").isEmpty());
    }

    private HttpResponse<String> call(String path) throws Exception {
        URI uri = URI.create("https://localhost:" + gateway.httpsPort() + "/f/alice/hello" + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static FunctionDeployment deployment(String image, int release) {
        return new FunctionDeployment("alice", "fns", "hello", image, "c" + release, release, Map.of(), List.of(),
                Map.of(), Map.of(), FunctionDeployment.Resources.none(), true);
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
}
