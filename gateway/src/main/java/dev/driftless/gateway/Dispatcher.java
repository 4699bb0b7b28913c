package dev.driftless.gateway;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTPS request handler: resolve, check limits, then hand the request to an {@link Exchange}.
 * Checks go cheapest first and nothing is looked up for a request that is refused anyway.
 */
final class Dispatcher {
    private final Vertx vertx;
    private final GatewayConfig config;
    private final RequestResolver resolver;
    private final GatewayMetrics metrics;
    private final TrafficRecorder traffic;
    private final TokenBuckets<String> clientRate;
    private final ConcurrencyLimit<String> clientConcurrency;
    private final TokenBuckets<FunctionAddress> functionRate;
    private final Optional<Router> fallback;
    private final Map<SiteArea, TokenBuckets<String>> siteRate = new EnumMap<>(SiteArea.class);

    Dispatcher(Vertx vertx, GatewayConfig config, GatewayMetrics metrics, TrafficRecorder traffic,
               Optional<Router> fallback) {
        this.fallback = fallback;
        this.vertx = vertx;
        this.config = config;
        this.resolver = new RequestResolver(config.domain());
        this.metrics = metrics;
        this.traffic = traffic;
        this.clientRate = new TokenBuckets<>(config.clientRequestsPerMinute(), config.clientBurst());
        this.clientConcurrency = new ConcurrencyLimit<>(config.clientMaxConcurrent());
        this.functionRate = config.functionRequestsPerMinute() == 0 ? null
                : new TokenBuckets<>(config.functionRequestsPerMinute(), config.functionBurst());
        config.siteLimits().forEach((area, limit) -> siteRate.put(area, new TokenBuckets<>(limit.perMinute(), limit.burst())));
    }

    /** The request handler of one event loop's server; {@code upstream} is that event loop's client. */
    Handler<HttpServerRequest> handler(HttpClient upstream) {
        return request -> handle(request, upstream);
    }

    private void handle(HttpServerRequest request, HttpClient upstream) {
        Resolution resolution = resolver.resolve(request.getHeader(HttpHeaders.HOST), request.path());
        if (resolution instanceof Resolution.Fallback) {
            if (fallback.isPresent()) {
                site(request);
            } else {
                refuse(request, new ErrorResponse(404, "not found"), "not_found");
            }
            return;
        }
        if (resolution instanceof Resolution.Refuse refusal) {
            refuse(request, new ErrorResponse(refusal.status(), refusal.message()), reason(refusal.status()));
            return;
        }
        forward(request, (Resolution.Forward) resolution, upstream);
    }

    /** Login, dashboard and git: each area's per-client bucket, then the fallback. */
    private void site(HttpServerRequest request) {
        SiteArea area = SiteArea.of(request.method().name(), request.path());
        TokenBuckets<String> buckets = siteRate.get(area);
        OptionalLong wait = buckets == null ? OptionalLong.empty() : buckets.take(client(request), config.ticker().getAsLong());
        if (wait.isPresent()) {
            refuse(request, ErrorResponse.tooMany(), area.refusal(), wait.getAsLong());
            return;
        }
        fallback.orElseThrow().handle(request);
    }

    /** The client limits apply to: the peer, or the client a trusted proxy names. */
    private String client(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        return config.trustedProxies().client(peer, request.getHeader("X-Forwarded-For"));
    }

    private void forward(HttpServerRequest request, Resolution.Forward target, HttpClient upstream) {
        String client = client(request);
        long now = System.nanoTime();
        OptionalLong wait = clientRate.take(client, config.ticker().getAsLong());
        if (wait.isPresent()) {
            refuse(request, ErrorResponse.tooMany(), "client_rate", wait.getAsLong());
            return;
        }
        Runnable permit = clientConcurrency.tryAcquire(client);
        if (permit == null) {
            refuse(request, ErrorResponse.tooMany(), "client_concurrency", 1_000_000_000L);
            return;
        }
        if (declaredLength(request) > config.maxBodyBytes()) {
            permit.run();
            refuse(request, ErrorResponse.tooLarge(), "body_too_large");
            return;
        }
        Optional<InMemoryRouteTable.Lease> lease = config.routes().acquire(target.address());
        if (lease.isEmpty()) {
            Optional<CompletionStage<Void>> waking = config.waker().wake(target.address());
            if (waking.isEmpty()) {
                permit.run();
                refuse(request, ErrorResponse.notFound(), "not_found");
                return;
            }
            awaitWake(request, target, upstream, permit, now, waking.get());
            return;
        }
        proceed(request, target, upstream, lease.get(), permit, now);
    }

    /**
     * Holds a request for a function scaled to zero until it serves again, then routes it. The client's
     * concurrency permit stays taken while it waits; the body stays paused, so nothing is lost.
     */
    private void awaitWake(HttpServerRequest request, Resolution.Forward target, HttpClient upstream, Runnable permit, long now,
                           CompletionStage<Void> waking) {
        if (!request.isEnded()) {
            request.pause();
        }
        Context context = vertx.getOrCreateContext();
        AtomicBoolean settled = new AtomicBoolean();
        long timer = vertx.setTimer(config.wakeTimeout().toMillis(), id -> {
            if (settled.compareAndSet(false, true)) {
                permit.run();
                Duration limit = config.wakeTimeout();
                String shown = limit.toMillis() < 1000 ? limit.toMillis() + " ms" : limit.toSeconds() + " s";
                refuse(request, new ErrorResponse(504, "function did not start within " + shown), "wake_timeout",
                        1_000_000_000L);
            }
        });
        waking.whenComplete((ignored, failure) -> context.runOnContext(v -> {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            vertx.cancelTimer(timer);
            if (request.response().closed()) {
                permit.run();
                return;
            }
            Optional<InMemoryRouteTable.Lease> lease = failure == null
                    ? config.routes().acquire(target.address()) : Optional.empty();
            if (lease.isEmpty()) {
                permit.run();
                refuse(request, new ErrorResponse(503, "function could not be started"), "wake_failed", 1_000_000_000L);
                return;
            }
            proceed(request, target, upstream, lease.get(), permit, now);
        }));
    }

    private void proceed(HttpServerRequest request, Resolution.Forward target, HttpClient upstream, InMemoryRouteTable.Lease lease,
                         Runnable permit, long now) {
        OptionalLong functionWait = functionRate == null ? OptionalLong.empty() : functionRate.take(target.address(), config.ticker().getAsLong());
        if (functionWait.isPresent()) {
            lease.release();
            permit.run();
            retryAfter(request, functionWait.getAsLong());
            ErrorResponse.tooMany().send(request);
            record(target.address(), 429, System.nanoTime() - now);
            return;
        }
        if (!request.isEnded()) {
            request.pause(); // the body waits until the upstream request exists
        }
        new Exchange(vertx, upstream, request, target, lease, permit, config.maxBodyBytes(),
                config.trustedProxies(), (status, nanos) -> record(target.address(), status, nanos))
                .start(config.timeouts().apply(target.address()));
    }

    private void record(FunctionAddress address, int status, long nanos) {
        metrics.record(address, status, nanos);
        traffic.record(address, status, nanos);
    }

    /** Content-Length as declared; -1 when absent. A malformed value counts as too large. */
    private static long declaredLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private void refuse(HttpServerRequest request, ErrorResponse error, String reason) {
        metrics.refused(reason);
        error.send(request);
    }

    private void refuse(HttpServerRequest request, ErrorResponse error, String reason, long retryNanos) {
        retryAfter(request, retryNanos);
        refuse(request, error, reason);
    }

    private static void retryAfter(HttpServerRequest request, long nanos) {
        long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
        request.response().putHeader("Retry-After", Long.toString(seconds));
    }

    private static String reason(int status) {
        return switch (status) {
            case 421 -> "unknown_host";
            case 404 -> "not_found";
            default -> "bad_request";
        };
    }

    /** Drops state of idle clients and functions; called periodically. */
    void sweep() {
        long now = config.ticker().getAsLong();
        clientRate.sweep(now);
        siteRate.values().forEach(buckets -> buckets.sweep(now));
        if (functionRate != null) {
            functionRate.sweep(now);
        }
        traffic.sweep();
    }
}
