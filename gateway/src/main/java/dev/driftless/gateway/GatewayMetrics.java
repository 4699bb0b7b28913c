package dev.driftless.gateway;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
    private final Map<FunctionAddress, Series> perFunction = new ConcurrentHashMap<>();

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
        // The data points of a function are looked up once, not by label values on every request.
        Series series = perFunction.get(address);
        if (series == null) {
            series = perFunction.computeIfAbsent(address, Series::new);
        }
        int statusClass = status / 100;
        boolean cached = statusClass >= 1 && statusClass <= 5;
        CounterDataPoint count = cached ? series.byClass.get(statusClass) : null;
        if (count == null) {
            // Created on first use, so only classes that occurred show up (the same data point if two race).
            count = requests.labelValues(address.owner(), address.function(), statusClass + "xx");
            if (cached) {
                series.byClass.set(statusClass, count);
            }
        }
        count.inc();
        if (status >= 500) {
            if (series.errors == null) {
                series.errors = errors.labelValues(address.owner(), address.function());
            }
            series.errors.inc();
        }
        series.duration.observe(durationNanos / 1e9);
    }

    /** One function's data points; the counters of status classes 1xx..5xx at their index, once used. */
    private final class Series {
        private final AtomicReferenceArray<CounterDataPoint> byClass = new AtomicReferenceArray<>(6);
        private volatile CounterDataPoint errors;
        private final DistributionDataPoint duration;

        Series(FunctionAddress address) {
            duration = GatewayMetrics.this.duration.labelValues(address.owner(), address.function());
        }
    }

    void refused(String reason) {
        refused.labelValues(reason).inc();
    }
}
