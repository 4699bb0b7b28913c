package dev.driftless.gateway;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A gateway on real ports (domain {@code localhost}) with its own route table, registry and function servers. */
final class GatewayHarness implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final InMemoryRouteTable routes = new InMemoryRouteTable();
    final PrometheusRegistry registry = new PrometheusRegistry();
    final Gateway gateway;
    final RawHttps client;
    private final List<FunctionServer> functions = new ArrayList<>();

    GatewayHarness(Path data, UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
        GatewayConfig.Builder builder = GatewayConfig.builder()
                .domain("localhost")
                .bindHost("127.0.0.1")
                .httpsPort(0)
                .httpRedirectPort(0)
                .dataFolder(data)
                .certificateCheckInterval(Duration.ofMillis(200))
                .routes(routes)
                .metrics(registry)
                // Every test request comes from 127.0.0.1: only the limit tests turn the client limits down.
                .clientRateLimit(1_000_000, 1_000_000)
                .clientMaxConcurrent(1_000);
        gateway = await(Gateway.create(settings.apply(builder).build()).start(vertx));
        // With configured PEM files the test brings its own trust; otherwise trust exactly the generated ca.pem.
        client = gateway.caCertificate().isPresent() ? RawHttps.trusting(gateway.caCertificate().get()) : null;
    }

    /** Starts a function server and routes {@code owner/function} to it. */
    FunctionServer function(String owner, String function, String version) throws Exception {
        FunctionServer server = new FunctionServer(vertx, version);
        Backend backend = server.start();
        functions.add(server);
        routes.route(new FunctionAddress(owner, function), backend);
        return server;
    }

    int port() {
        return gateway.httpsPort();
    }

    String metricsText() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        await(gateway.stop());
        for (FunctionServer function : functions) {
            function.release();
        }
        await(vertx.close());
    }
}
