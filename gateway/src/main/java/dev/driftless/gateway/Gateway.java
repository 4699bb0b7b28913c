package dev.driftless.gateway;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The HTTPS function gateway: {@code https://<owner>.<domain>/<function>/…} and
 * {@code https://<domain>/f/<owner>/<function>/…} are forwarded to the function's current backend from
 * the route table; the rest of the bare domain goes to the configured fallback. Optionally a plain-HTTP
 * port that redirects to HTTPS.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.create(GatewayConfig.builder().domain("fn.example.com").dataFolder(data)
 *         .routes(routes).metrics(registry).build());
 * gateway.start(vertx).await();
 * }</pre>
 */
public final class Gateway {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final long SWEEP_MILLIS = 60_000;

    private final GatewayConfig config;
    private final TrafficRecorder traffic;
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<String> deployments = new ArrayList<>();
    private Vertx vertx;
    private HttpServer https;
    private HttpServer http;
    private CertificateWatcher watcher;
    private volatile Optional<LocalCertificateAuthority> localAuthority = Optional.empty();
    private long sweepTimer = -1;
    private TlsEngine tlsEngine;
    private Optional<Path> caCertificate = Optional.empty();

    private Gateway(GatewayConfig config) {
        this.config = config;
        this.traffic = new TrafficRecorder(config.clock());
    }

    public static Gateway create(GatewayConfig config) {
        return new Gateway(Objects.requireNonNull(config, "config"));
    }

    /**
     * Prepares the certificate (creating the local CA on first start, on a worker thread), then listens.
     * Completes with this gateway once both ports accept connections.
     */
    public Future<Gateway> start(Vertx vertx) {
        if (this.vertx != null) {
            return Future.failedFuture(new IllegalStateException("gateway already started"));
        }
        this.vertx = vertx;
        try {
            tlsEngine = config.tlsEngine().resolved();
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        GatewayMetrics metrics = new GatewayMetrics(config.metrics());
        return vertx.executeBlocking(this::prepareTls).compose(prepared -> {
            CertificateWatcher.TlsFiles tls = prepared.files();
            // Vert.x Web only sees what belongs to the fallback: it throws on Host values it cannot parse,
            // which the dispatcher has refused by then.
            Optional<Router> fallback = config.fallback().map(handler -> {
                Router router = Router.router(vertx);
                router.route().handler(handler);
                return router;
            });
            // One dispatcher for all event loops: limits, metrics and traffic figures stay global.
            Dispatcher dispatcher = new Dispatcher(vertx, config, metrics, traffic, fallback);
            sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> dispatcher.sweep());
            // One HTTPS server instance per event loop on the shared port (Vert.x spreads the accepted
            // connections over them), each with its own upstream pool: a request, its upstream connection and
            // its answer stay on one thread, and TLS work is spread over the cores like nginx's workers.
            // Port 0 is resolved by the first instance; the others then listen on the port it got. A fixed
            // port is shared by Vert.x itself; a port picked at bind time is not (its servers are keyed by
            // port 0), so there every instance binds its own socket with SO_REUSEPORT (native transport only).
            boolean anyPort = config.httpsPort() == 0;
            int instances = anyPort && !vertx.isNativeTransportEnabled() ? 1 : config.eventLoops();
            return vertx.deployVerticle(instances(dispatcher, prepared.pem(), config.httpsPort(), anyPort),
                            new DeploymentOptions())
                    .compose(first -> {
                        deployments.add(first);
                        https = servers.get(0);
                        return instances == 1 ? Future.succeededFuture(first)
                                : vertx.deployVerticle(instances(dispatcher, prepared.pem(), https.actualPort(), anyPort),
                                        new DeploymentOptions().setInstances(instances - 1));
                    })
                    .compose(rest -> {
                        if (!deployments.contains(rest)) {
                            deployments.add(rest);
                        }
                        return listenRedirect();
                    }).map(v -> {
                        watcher = new CertificateWatcher(vertx, tls, List.copyOf(servers), prepared.stamp());
                        watcher.start(config.certificateCheck());
                        LOG.info("event=gateway.listening https_port={} tls_engine={} transport={} event_loops={}",
                                https.actualPort(), tlsEngine.label(),
                                vertx.isNativeTransportEnabled() ? "epoll" : "nio", servers.size());
                        return this;
                    });
        });
    }

    private Supplier<Deployable> instances(Dispatcher dispatcher, PemKeyCertOptions pem, int port, boolean reusePort) {
        return () -> context -> listenHttps(dispatcher, pem, port, reusePort);
    }

    /** Runs on the instance's own event loop context, so the server and the client belong to it. */
    private Future<HttpServer> listenHttps(Dispatcher dispatcher, PemKeyCertOptions pem, int port, boolean reusePort) {
        HttpClient upstream = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000)
                        .setMaxInitialLineLength(8192)
                        .setTcpQuickAck(vertx.isNativeTransportEnabled()),
                // Per event loop: enough kept-alive connections for its share of the concurrent requests.
                new PoolOptions().setHttp1MaxSize(Math.max(16, 200 / config.eventLoops())));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(config.bindHost())
                .setPort(port)
                .setSsl(true)
                .setSslEngineOptions(tlsEngine.options())
                .setKeyCertOptions(pem)
                .setCompressionSupported(false)
                .setReusePort(reusePort)
                .setTcpQuickAck(vertx.isNativeTransportEnabled()));
        server.requestHandler(dispatcher.handler(upstream));
        synchronized (servers) {
            clients.add(upstream);
        }
        return server.listen().onSuccess(bound -> {
            synchronized (servers) {
                servers.add(bound);
            }
        });
    }

    /** Blocking: may generate keys, reads files. */
    private Prepared prepareTls() throws Exception {
        CertificateWatcher.TlsFiles files;
        if (config.usesConfiguredCertificate()) {
            files = new CertificateWatcher.TlsFiles(config.certificateChain().get(), config.privateKey().get(), Optional.empty());
        } else {
            LocalCertificateAuthority authority = LocalCertificateAuthority.in(config.tlsFolder(), config.domain(), config.clock());
            authority.ensure();
            localAuthority = Optional.of(authority);
            caCertificate = Optional.of(authority.caCertificate());
            files = new CertificateWatcher.TlsFiles(authority.serverCertificate(), authority.serverKey(), Optional.of(authority));
        }
        String stamp = files.stamp();
        return new Prepared(files, stamp, files.read());
    }

    private record Prepared(CertificateWatcher.TlsFiles files, String stamp, PemKeyCertOptions pem) { }

    private Future<Void> listenRedirect() {
        if (config.httpPort().isEmpty()) {
            return Future.succeededFuture();
        }
        http = vertx.createHttpServer(new HttpServerOptions().setHost(config.bindHost()).setPort(config.httpPort().get()));
        int target = config.publicHttpsPort().orElse(https.actualPort());
        http.requestHandler(new HttpsRedirect(new RequestResolver(config.domain()), target));
        return http.listen().mapEmpty();
    }

    /** Certificate checks finished so far (0 before start): for tests that wait for N more. */
    long certificateChecks() {
        return watcher == null ? 0 : watcher.checks();
    }

    /** Stops listening and releases the client pool; requests in flight are cut. */
    public Future<Void> stop() {
        if (vertx == null) {
            return Future.succeededFuture();
        }
        if (watcher != null) {
            watcher.stop();
        }
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        List<Future<Void>> closing = new ArrayList<>();
        synchronized (servers) {
            servers.forEach(server -> closing.add(server.close()));
            clients.forEach(upstream -> closing.add(upstream.close()));
        }
        if (http != null) {
            closing.add(http.close());
        }
        return Future.join(closing).transform(closed -> Future.join(deployments.stream().map(vertx::undeploy).toList()))
                .mapEmpty();
    }

    /** The TLS engine the HTTPS port runs on (OPENSSL or JDK), once started. */
    public TlsEngine tlsEngine() {
        return tlsEngine;
    }

    /** The bound HTTPS port (useful with port 0). */
    public int httpsPort() {
        return https.actualPort();
    }

    /** The bound plain-HTTP redirect port, when one is configured. */
    /**
     * Makes {@code https://<owner>.<domain>} verify with the local CA when the domain has a single label
     * (see {@link LocalCertificateAuthority#coverOwnerHost}); the new certificate is served after the next
     * certificate check. No-op with configured certificates. Blocking: call it on a worker thread.
     */
    public boolean coverOwnerHost(String owner) {
        return localAuthority.map(authority -> authority.coverOwnerHost(owner)).orElse(false);
    }

    public Optional<Integer> httpPort() {
        return http == null ? Optional.empty() : Optional.of(http.actualPort());
    }

    /** The local CA's certificate that clients should trust, when the gateway made its own. */
    public Optional<Path> caCertificate() {
        return caCertificate;
    }

    /** Requests / errors / latency of each function over the last hour or day, for the dashboard. */
    public FunctionTraffic traffic() {
        return traffic;
    }
}
