package dev.driftless.reconciler.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.Gateway;
import dev.driftless.gateway.GatewayConfig;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.runtime.kubernetes.FakeDeploymentController;
import dev.driftless.runtime.kubernetes.KubernetesRuntime;
import dev.driftless.runtime.kubernetes.KubernetesRuntimeConfig;
import dev.driftless.testsupport.Await;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Scale to zero on Kubernetes, end to end below the reconciler: the real gateway (HTTPS, its Waker path), the
 * scale-to-zero decorator, the routed Kubernetes runtime on the mock API server with {@link FakeDeploymentController}
 * playing the deployment controller, and a stand-in for the function's pods that answers only while its Deployment
 * has an available replica (the Service address points at it). Idle → Deployment at 0 replicas; a resync does not
 * wake it; 20 concurrent requests → one scale-up (one Deployment write), 20 answers 200.
 */
class ScaleToZeroOnKubernetesTest {
    private static final String IMAGE = "registry.test/alice/hello@sha256:" + "a".repeat(64);

    @TempDir
    Path data;

    private KubernetesMockServer server;
    private KubernetesClient api;
    private KubernetesClient runtimeClient;
    private FakeDeploymentController controller;
    private KubernetesRuntime kubernetes;
    private ScaleToZero scaling;
    private HttpServer pods;
    private Vertx vertx;
    private Gateway gateway;
    private final List<String> deploymentWrites = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        api = server.createClient();
        runtimeClient = server.createClient(builder -> builder.withHttpClientBuilderConsumer(http ->
                http.addOrReplaceInterceptor("count-deployment-writes", new Interceptor() {
                    @Override
                    public void before(BasicBuilder b, HttpRequest request, RequestTags tags) {
                        if (!request.method().equals("GET") && request.uri().getRawPath().contains("/deployments/")) {
                            deploymentWrites.add(request.method() + " " + request.uri().getRawPath());
                        }
                    }
                })));
        controller = new FakeDeploymentController(api);
        kubernetes = new KubernetesRuntime(runtimeClient, KubernetesRuntimeConfig.defaults()
                .withRollout(5, Duration.ofSeconds(10), Duration.ofMillis(200))).start();

        // the function's pods: they answer while the Deployment has an available replica, as a Service would
        pods = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pods.setExecutor(Executors.newFixedThreadPool(4));
        pods.createContext("/", exchange -> {
            Deployment d = api.apps().deployments().inNamespace("fn-alice").withName("hello").get();
            boolean up = d != null && d.getStatus() != null && d.getStatus().getAvailableReplicas() != null
                    && d.getStatus().getAvailableReplicas() > 0 && d.getSpec().getReplicas() > 0;
            byte[] body = (up ? "awake" : "no pods").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(up ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pods.start();
        URI podAddress = URI.create("http://127.0.0.1:" + pods.getAddress().getPort());

        InMemoryRouteTable routes = new InMemoryRouteTable();
        PrometheusRegistry registry = new PrometheusRegistry();
        RoutedRuntime routed = new RoutedRuntime(kubernetes, Optional.of((owner, function) -> podAddress), routes,
                owner -> true, new FunctionTimeouts());
        scaling = new ScaleToZero(routed, ScaleToZero.Activity.of(routes), new ScaleToZero.Policy(false, Duration.ofMinutes(15)),
                registry);
        vertx = Vertx.vertx();
        gateway = Gateway.create(GatewayConfig.builder()
                .domain("localhost").bindHost("127.0.0.1").httpsPort(0).httpRedirectPort(0)
                .dataFolder(data).routes(routes).metrics(registry)
                .clientRateLimit(1_000_000, 1_000_000).clientMaxConcurrent(1_000)
                .waker(scaling).wakeTimeout(Duration.ofSeconds(30))
                .build());
        gateway.start(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pods.stop(0);
        scaling.close();
        controller.close();
        runtimeClient.close();
        api.close();
        server.destroy();
    }

    @Test
    void anIdleFunctionIsScaledToZeroAndTwentyConcurrentRequestsWakeItOnce() throws Exception {
        FunctionDeployment hello = new FunctionDeployment("alice", "fns", "hello", IMAGE, "c1", 1, Map.of(), List.of(),
                Map.of(ScaleToZero.LABEL, "true", ScaleToZero.DURATION_LABEL, "1s"), Map.of(),
                FunctionDeployment.Resources.none(), true);
        HttpClient https = trusting(gateway.caCertificate().orElseThrow());
        String endpoint = "https://localhost:" + gateway.httpsPort() + "/f/alice/hello";
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, scaling.deploy(hello).outcome());
        assertEquals(200, get(https, endpoint).statusCode());

        Await.until("hello to be scaled to zero after 1 s idle", Duration.ofSeconds(30), () -> {
            scaling.sleepIdle();
            return scaling.asleep("alice", "hello");
        });
        Deployment asleep = api.apps().deployments().inNamespace("fn-alice").withName("hello").get();
        assertEquals(0, asleep.getSpec().getReplicas());
        assertNotNull(asleep.getMetadata().getAnnotations().get("driftless.dev/scaled-to-zero"));
        assertEquals(RolloutResult.Outcome.UNCHANGED, scaling.deploy(hello).outcome(), "a resync does not wake it");
        assertEquals(0, api.apps().deployments().inNamespace("fn-alice").withName("hello").get().getSpec().getReplicas(),
                "an idle function at 0 is not drift");
        deploymentWrites.clear();

        ExecutorService callers = Executors.newFixedThreadPool(20);
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(callers.submit(() -> get(https, endpoint)));
            }
            AtomicInteger ok = new AtomicInteger();
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get(60, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode(), response::body);
                assertEquals("awake", response.body());
                ok.incrementAndGet();
            }
            assertEquals(20, ok.get());
        } finally {
            callers.shutdownNow();
        }
        assertEquals(List.of("PUT /apis/apps/v1/namespaces/fn-alice/deployments/hello"), deploymentWrites,
                "the 20 first requests shared one scale-up");
        Deployment woken = api.apps().deployments().inNamespace("fn-alice").withName("hello").get();
        assertEquals(1, woken.getSpec().getReplicas());
        assertTrue(woken.getMetadata().getAnnotations() == null
                || !woken.getMetadata().getAnnotations().containsKey("driftless.dev/scaled-to-zero"));
        assertEquals(RolloutResult.Outcome.UNCHANGED, scaling.deploy(hello).outcome());
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(java.net.http.HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient trusting(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry("driftless", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
