package dev.driftless.gateway;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * For {@code bench/gateway/run.sh}: a trivial function server and a gateway in front of it, both on
 * loopback, in one JVM. Client limits are lifted (the load comes from one IP on purpose); everything
 * else is the gateway as shipped. Writes {@code <backendPort> <gatewayPort>} to the given file, then
 * runs until killed.
 *
 * <p>Usage: {@code GatewayBenchMain <dataFolder> <portsFile>}
 */
public final class GatewayBenchMain {
    private GatewayBenchMain() { }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path portsFile = Path.of(args[1]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        Buffer hello = Buffer.buffer("hello from the function\n");
        // The function gets an event loop of its own, as a function process has its own CPU time: it must
        // not share a thread with one of the gateway's event loops (that would bill the function to the gateway).
        HttpServer[] started = new HttpServer[1];
        vertx.deployVerticle(context -> vertx.createHttpServer().requestHandler(request -> request.response()
                        .putHeader("Content-Type", "text/plain").end(hello))
                .listen(0, "127.0.0.1").onSuccess(server -> started[0] = server))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        HttpServer backend = started[0];

        InMemoryRouteTable routes = new InMemoryRouteTable();
        routes.route(new FunctionAddress("bench", "hello"), new Backend("127.0.0.1", backend.actualPort(), "v1"));
        Gateway gateway = Gateway.create(GatewayConfig.builder()
                .domain("localhost")
                .bindHost("127.0.0.1")
                .httpsPort(0)
                .dataFolder(data)
                .routes(routes)
                .metrics(new PrometheusRegistry())
                .clientRateLimit(100_000_000, 100_000_000)
                .clientMaxConcurrent(10_000)
                .functionRateLimit(0, 1)
                .build());
        gateway.start(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        System.out.println("tls_engine=" + gateway.tlsEngine().label() + " transport="
                + (vertx.isNativeTransportEnabled() ? "epoll" : "nio"));
        Files.writeString(portsFile, backend.actualPort() + " " + gateway.httpsPort() + "\n");
        Thread.currentThread().join();
    }
}
