package dev.driftless.gateway;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Everything the gateway needs, validated once. Built with {@link #builder()}; {@link Builder#build()}
 * names every missing or invalid setting in one error.
 *
 * @param domain              the base domain: functions answer at {@code <owner>.<domain>} and {@code <domain>/f/<owner>}
 * @param bindHost            address to listen on
 * @param httpsPort           HTTPS port, 0 for any free port
 * @param httpPort            plain-HTTP port that only redirects to HTTPS; empty for none (0 = any free port)
 * @param publicHttpsPort     the HTTPS port named in redirects (e.g. 443 behind port forwarding); empty = the bound port
 * @param tlsFolder           where the local CA and server certificate live when no PEM files are given
 * @param certificateChain    PEM chain (leaf first) of a wildcard certificate; with {@code privateKey} replaces the local CA
 * @param privateKey          PEM private key of {@code certificateChain}
 * @param certificateCheck    how often the certificate files are checked for changes
 * @param tlsEngine           TLS implementation of the HTTPS port (OpenSSL when it loads, by default)
 * @param routes              which backend serves each function
 * @param metrics             where the R.E.D. series are registered
 * @param maxBodyBytes        request body limit (413 above)
 * @param timeouts            each function's timeout (504 after it); see {@link Builder#timeout}
 * @param clientRequestsPerMinute per client IP, token bucket refill rate (429 above)
 * @param clientBurst         per client IP, token bucket size
 * @param clientMaxConcurrent per client IP, requests in flight at once (429 above)
 * @param functionRequestsPerMinute per function, token bucket refill rate (429 above); 0 = unlimited
 * @param functionBurst       per function, token bucket size
 * @param siteLimits          per client IP, one bucket for each area of what the fallback serves (login, dashboard, git)
 * @param trustedProxies      peers whose {@code X-Forwarded-For} names the client (an Ingress); none by default
 * @param fallback            handles requests to the bare domain outside {@code /f/} (the dashboard); empty = 404
 * @param clock               time source for the in-memory traffic figures
 * @param ticker              nanosecond time source of the rate limits' token buckets ({@link System#nanoTime()})
 * @param waker               starts functions scaled to zero on their first request
 * @param wakeTimeout         how long a request waits for such a start (504 after it)
 * @param eventLoops          HTTPS server instances, each on its own event loop with its own upstream pool
 *                            (default: one per core, as nginx's {@code worker_processes auto})
 */
public record GatewayConfig(
        String domain,
        String bindHost,
        int httpsPort,
        Optional<Integer> httpPort,
        Optional<Integer> publicHttpsPort,
        Path tlsFolder,
        Optional<Path> certificateChain,
        Optional<Path> privateKey,
        Duration certificateCheck,
        TlsEngine tlsEngine,
        InMemoryRouteTable routes,
        PrometheusRegistry metrics,
        long maxBodyBytes,
        Function<FunctionAddress, Duration> timeouts,
        int clientRequestsPerMinute,
        int clientBurst,
        int clientMaxConcurrent,
        int functionRequestsPerMinute,
        int functionBurst,
        Map<SiteArea, RateLimit> siteLimits,
        TrustedProxies trustedProxies,
        Optional<Handler<RoutingContext>> fallback,
        Clock clock,
        LongSupplier ticker,
        Waker waker,
        Duration wakeTimeout,
        int eventLoops) {

    public GatewayConfig {
        siteLimits = Map.copyOf(siteLimits);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Per-client function traffic defaults: 600 a minute, like OpenFaaS Cloud's ingress, at most 100 at once. */
    public static final RateLimit DEFAULT_CLIENT_LIMIT = new RateLimit(600, 100);

    /** Per-client defaults of the site's areas: a handful of login attempts, enough for people and git. */
    public static Map<SiteArea, RateLimit> defaultSiteLimits() {
        return Map.of(SiteArea.LOGIN, new RateLimit(10, 5),
                SiteArea.DASHBOARD, new RateLimit(300, 60),
                SiteArea.GIT, new RateLimit(120, 30));
    }

    /** True when the certificate comes from configured PEM files rather than the local CA. */
    public boolean usesConfiguredCertificate() {
        return certificateChain.isPresent();
    }

    public static final class Builder {
        private String domain;
        private String bindHost = "0.0.0.0";
        private int httpsPort = 8443;
        private Integer httpPort;
        private Integer publicHttpsPort;
        private Path dataFolder;
        private Path certificateChain;
        private Path privateKey;
        private Duration certificateCheck = Duration.ofSeconds(10);
        private TlsEngine tlsEngine = TlsEngine.AUTO;
        private InMemoryRouteTable routes;
        private PrometheusRegistry metrics;
        private long maxBodyBytes = 10L * 1024 * 1024;
        private Duration defaultTimeout = Duration.ofSeconds(30);
        private Function<FunctionAddress, Optional<Duration>> functionTimeouts = address -> Optional.empty();
        private int clientRequestsPerMinute = DEFAULT_CLIENT_LIMIT.perMinute();
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private Integer clientBurst = DEFAULT_CLIENT_LIMIT.burst();
        private final Map<SiteArea, RateLimit> siteLimits = new EnumMap<>(defaultSiteLimits());
        private int clientMaxConcurrent = 20;
        private int functionRequestsPerMinute = 60_000;
        private Integer functionBurst;
        private Handler<RoutingContext> fallback;
        private Clock clock = Clock.systemUTC();
        private LongSupplier ticker = System::nanoTime;
        private Waker waker = Waker.none();
        private Duration wakeTimeout = Duration.ofSeconds(30);
        private int eventLoops = Runtime.getRuntime().availableProcessors();

        private Builder() { }

        /**
         * How many event loops serve HTTPS (default: the number of cores). Each runs its own server instance
         * on the shared port and its own upstream connection pool, so an exchange never changes threads.
         */
        public Builder eventLoops(int eventLoops) {
            this.eventLoops = eventLoops;
            return this;
        }

        /** Required. The base domain, e.g. {@code fn.example.com} or {@code localhost}. */
        public Builder domain(String domain) {
            this.domain = domain == null ? null : domain.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder bindHost(String bindHost) {
            this.bindHost = bindHost;
            return this;
        }

        /** Default 8443 ({@code DRIFTLESS_HTTPS_PORT}); 0 picks a free port. */
        public Builder httpsPort(int port) {
            this.httpsPort = port;
            return this;
        }

        /** Also listen for plain HTTP on {@code port} and answer every request with a 308 to HTTPS. */
        public Builder httpRedirectPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** The HTTPS port that redirects point to, when clients reach the gateway on another port than it binds. */
        public Builder publicHttpsPort(int port) {
            this.publicHttpsPort = port;
            return this;
        }

        /** The data folder; the local CA lives in its {@code tls/} subfolder. Required unless PEM files are given. */
        public Builder dataFolder(Path folder) {
            this.dataFolder = folder;
            return this;
        }

        /** Use this certificate chain and key (PEM) instead of the local CA; both files are watched for changes. */
        public Builder certificate(Path chainPem, Path keyPem) {
            this.certificateChain = chainPem;
            this.privateKey = keyPem;
            return this;
        }

        public Builder certificateCheckInterval(Duration interval) {
            this.certificateCheck = interval;
            return this;
        }

        /** Required. */
        public Builder tlsEngine(TlsEngine engine) {
            this.tlsEngine = engine;
            return this;
        }

        public Builder routes(InMemoryRouteTable routes) {
            this.routes = routes;
            return this;
        }

        /** Required. The registry the reconciler exposes in {@code /metrics}. */
        public Builder metrics(PrometheusRegistry registry) {
            this.metrics = registry;
            return this;
        }

        public Builder maxBodyBytes(long bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /** Default time a function has to answer completely (30 s). */
        public Builder timeout(Duration timeout) {
            this.defaultTimeout = timeout;
            return this;
        }

        /** Per-function timeouts, asked on every request (so they can change at runtime); empty = the default. */
        public Builder functionTimeouts(Function<FunctionAddress, Optional<Duration>> timeouts) {
            this.functionTimeouts = timeouts;
            return this;
        }

        /** Per client IP, function requests: refill rate (default 600/min, like OpenFaaS Cloud's ingress) and bucket size (default 100). */
        public Builder clientRateLimit(int requestsPerMinute, int burst) {
            this.clientRequestsPerMinute = requestsPerMinute;
            this.clientBurst = burst;
            return this;
        }

        public Builder clientRateLimit(RateLimit limit) {
            return clientRateLimit(limit.perMinute(), limit.burst());
        }

        /** Per client IP, requests to one area of the site the fallback serves (defaults: {@link #defaultSiteLimits()}). */
        public Builder siteRateLimit(SiteArea area, RateLimit limit) {
            this.siteLimits.put(area, limit);
            return this;
        }

        /** Proxies in front of the gateway (an Ingress): per-client limits then apply to the forwarded client. */
        public Builder trustedProxies(TrustedProxies trustedProxies) {
            this.trustedProxies = trustedProxies;
            return this;
        }

        /** Per client IP, requests in flight at once (default 20). */
        public Builder clientMaxConcurrent(int max) {
            this.clientMaxConcurrent = max;
            return this;
        }

        /** Per function: refill rate (default 60000/min) and bucket size; 0 requests per minute turns it off. */
        public Builder functionRateLimit(int requestsPerMinute, int burst) {
            this.functionRequestsPerMinute = requestsPerMinute;
            this.functionBurst = burst;
            return this;
        }

        /** Handles requests to the bare domain outside {@code /f/}; mount a Router with {@code ctx -> router.handleContext(ctx)}. */
        public Builder fallback(Handler<RoutingContext> handler) {
            this.fallback = handler;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The rate limits' time source, in nanoseconds; tests move it by hand. */
        public Builder ticker(LongSupplier ticker) {
            this.ticker = ticker;
            return this;
        }

        /** Starts functions scaled to zero when a request arrives; by default nothing sleeps. */
        public Builder waker(Waker waker) {
            this.waker = waker;
            return this;
        }

        /** How long a request waits for a function to wake before it gets 504. */
        public Builder wakeTimeout(Duration timeout) {
            this.wakeTimeout = timeout;
            return this;
        }

        public GatewayConfig build() {
            List<String> problems = new ArrayList<>();
            if (domain == null || !validDomain(domain)) {
                problems.add("domain must be a DNS name like fn.example.com (was " + domain + ")");
            }
            if (bindHost == null || bindHost.isBlank()) {
                problems.add("bindHost is required");
            }
            checkPort(problems, "httpsPort", httpsPort);
            if (httpPort != null) {
                checkPort(problems, "httpRedirectPort", httpPort);
            }
            if (publicHttpsPort != null && (publicHttpsPort <= 0 || publicHttpsPort > 65535)) {
                problems.add("publicHttpsPort out of range: " + publicHttpsPort);
            }
            if ((certificateChain == null) != (privateKey == null)) {
                problems.add("certificate needs both the chain and the key PEM file");
            }
            if (certificateChain == null && dataFolder == null) {
                problems.add("dataFolder is required for the local CA when no certificate files are given");
            }
            positive(problems, "certificateCheckInterval", certificateCheck);
            positive(problems, "timeout", defaultTimeout);
            if (routes == null) {
                problems.add("routes is required");
            }
            if (metrics == null) {
                problems.add("metrics registry is required");
            }
            if (functionTimeouts == null) {
                problems.add("functionTimeouts must not be null");
            }
            if (maxBodyBytes <= 0) {
                problems.add("maxBodyBytes must be positive");
            }
            if (clientRequestsPerMinute <= 0 || (clientBurst != null && clientBurst <= 0)) {
                problems.add("client rate limit must be positive");
            }
            if (clientMaxConcurrent <= 0) {
                problems.add("clientMaxConcurrent must be positive");
            }
            if (functionRequestsPerMinute < 0 || (functionBurst != null && functionBurst <= 0)) {
                problems.add("function rate limit must not be negative");
            }
            if (trustedProxies == null) {
                problems.add("trustedProxies must not be null (TrustedProxies.none() trusts nobody)");
            }
            if (tlsEngine == null) {
                problems.add("tlsEngine is required");
            }
            if (clock == null) {
                problems.add("clock is required");
            }
            if (ticker == null) {
                problems.add("ticker is required");
            }
            if (waker == null) {
                problems.add("waker must not be null (Waker.none() wakes nothing)");
            }
            positive(problems, "wakeTimeout", wakeTimeout);
            if (eventLoops <= 0 || eventLoops > 256) {
                problems.add("eventLoops must be between 1 and 256 (was " + eventLoops + ")");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid gateway configuration: " + String.join("; ", problems));
            }
            Duration fallbackTimeout = defaultTimeout;
            Function<FunctionAddress, Optional<Duration>> perFunction = functionTimeouts;
            return new GatewayConfig(domain, bindHost, httpsPort, Optional.ofNullable(httpPort),
                    Optional.ofNullable(publicHttpsPort),
                    dataFolder == null ? null : dataFolder.resolve("tls"),
                    Optional.ofNullable(certificateChain), Optional.ofNullable(privateKey), certificateCheck,
                    tlsEngine, routes, metrics, maxBodyBytes,
                    address -> perFunction.apply(address).orElse(fallbackTimeout),
                    clientRequestsPerMinute, clientBurst == null ? clientRequestsPerMinute : clientBurst,
                    clientMaxConcurrent, functionRequestsPerMinute,
                    functionBurst == null ? Math.max(1, functionRequestsPerMinute) : functionBurst,
                    siteLimits, trustedProxies, Optional.ofNullable(fallback), clock, ticker, waker, wakeTimeout, eventLoops);
        }

        private static boolean validDomain(String domain) {
            if (domain.length() > 200 || domain.startsWith(".") || domain.endsWith(".")) {
                return false;
            }
            for (String label : domain.split("\\.", -1)) {
                if (!FunctionAddress.isLabel(label)) {
                    return false;
                }
            }
            return true;
        }

        private static void checkPort(List<String> problems, String name, int port) {
            if (port < 0 || port > 65535) {
                problems.add(name + " out of range: " + port);
            }
        }

        private static void positive(List<String> problems, String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                problems.add(name + " must be positive");
            }
        }
    }
}
