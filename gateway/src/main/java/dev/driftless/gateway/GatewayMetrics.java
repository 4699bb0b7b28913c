package dev.driftless.gateway;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * R.E.D. series per function in the shared Prometheus registry, plus one counter for requests refused
 * before a function was known. Only routed functions get per-function series, so a client inventing
 * names cannot grow the label set.
 */
final class GatewayMetrics {
    private final Counter requests;
    private final Counter errors;
    private final Histogram duration;
    private final Counter refused;

    GatewayMetrics(PrometheusRegistry registry) {
        requests = Counter.builder()
                .name("driftless_gateway_requests_total")
                .help("Requests forwarded to a function, by status class")
                .labelNames("owner", "function", "code")
                .register(registry);
        errors = Counter.builder()
                .name("driftless_gateway_errors_total")
                .help("Requests to a function answered with 5xx (by the function or the gateway)")
                .labelNames("owner", "function")
                .register(registry);
        duration = Histogram.builder()
                .name("driftless_gateway_request_duration_seconds")
                .help("Time from request start to the end of the response")
                .labelNames("owner", "function")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .register(registry);
        refused = Counter.builder()
                .name("driftless_gateway_refused_total")
                .help("Requests refused before reaching a function, by reason")
                .labelNames("reason")
                .register(registry);
    }

    void record(FunctionAddress address, int status, long durationNanos) {
        requests.labelValues(address.owner(), address.function(), (status / 100) + "xx").inc();
        if (status >= 500) {
            errors.labelValues(address.owner(), address.function()).inc();
        }
        duration.labelValues(address.owner(), address.function()).observe(durationNanos / 1e9);
    }

    void refused(String reason) {
        refused.labelValues(reason).inc();
    }
}
