package dev.driftless.gateway;

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
    private Vertx vertx;
    private HttpClient client;
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
            client = vertx.createHttpClient(new HttpClientOptions()
                            .setKeepAlive(true)
                            .setConnectTimeout(5_000)
                            .setMaxInitialLineLength(8192),
                    new PoolOptions().setHttp1MaxSize(200));
            // Vert.x Web only sees what belongs to the fallback: it throws on Host values it cannot parse,
            // which the dispatcher has refused by then.
            Optional<Router> fallback = config.fallback().map(handler -> {
                Router router = Router.router(vertx);
                router.route().handler(handler);
                return router;
            });
            Dispatcher dispatcher = new Dispatcher(vertx, client, config, metrics, traffic, fallback);
            https = vertx.createHttpServer(new HttpServerOptions()
                    .setHost(config.bindHost())
                    .setPort(config.httpsPort())
                    .setSsl(true)
                    .setSslEngineOptions(tlsEngine.options())
                    .setKeyCertOptions(prepared.pem())
                    .setCompressionSupported(false));
            https.requestHandler(dispatcher);
            servers.add(https);
            sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> dispatcher.sweep());
            return https.listen().compose(bound -> listenRedirect()).map(v -> {
                watcher = new CertificateWatcher(vertx, tls, List.of(https), prepared.stamp());
                watcher.start(config.certificateCheck());
                LOG.info("event=gateway.listening https_port={} tls_engine={} transport={}", https.actualPort(),
                        tlsEngine.label(), vertx.isNativeTransportEnabled() ? "epoll" : "nio");
                return this;
            });
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
        if (https != null) {
            closing.add(https.close());
        }
        if (http != null) {
            closing.add(http.close());
        }
        if (client != null) {
            closing.add(client.close());
        }
        return Future.join(closing).mapEmpty();
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
