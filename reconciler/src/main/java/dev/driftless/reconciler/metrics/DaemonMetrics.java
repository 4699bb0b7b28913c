package dev.driftless.reconciler.metrics;

import dev.driftless.reconciler.queue.Job;
import dev.driftless.reconciler.queue.JobListener;
import dev.driftless.reconciler.queue.JobResult;
import dev.driftless.reconciler.queue.JobState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The daemon's own metrics, all in one {@link PrometheusRegistry} that other parts (gateway, status
 * reporter) register into too. Label values are event names, outcomes, states and pool names: never
 * secrets, never owner-controlled free text.
 */
public final class DaemonMetrics implements JobListener {
    private final PrometheusRegistry registry;
    private final Counter deliveries;
    private final Counter webhookRequests;
    private final Counter rejected;
    private final Histogram jobDurations;
    private final AtomicReference<Map<JobState, Long>> queueDepth = new AtomicReference<>(Map.of());

    public DaemonMetrics(PrometheusRegistry registry, boolean withJvm) {
        this.registry = registry;
        if (withJvm) {
            JvmMetrics.builder().register(registry);
        }
        deliveries = Counter.builder().name("driftless_webhook_deliveries_total")
                .help("Verified webhook deliveries and git pushes, by event and what became of them")
                .labelNames("event", "outcome").register(registry);
        webhookRequests = Counter.builder().name("driftless_webhook_requests_total")
                .help("Webhook HTTP requests by event and answer (accepted, duplicate, refused for a reason)")
                .labelNames("event", "outcome").register(registry);
        rejected = Counter.builder().name("driftless_worker_pool_rejected_total")
                .help("Requests answered 503 because a worker pool was full").labelNames("pool").register(registry);
        jobDurations = Histogram.builder().name("driftless_job_duration_seconds")
                .help("How long job runs took, by kind and result").labelNames("kind", "result")
                .classicUpperBounds(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
                .register(registry);
        GaugeWithCallback.builder().name("driftless_jobs").help("Jobs in the store by state (as of the last scrape)")
                .labelNames("state")
                .callback(callback -> queueDepth.get().forEach((state, n) -> callback.call(n, state.dbName())))
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void delivery(String event, String outcome) {
        deliveries.labelValues(event, outcome).inc();
    }

    /** Event names from unauthenticated requests are free text: only well-formed ones are labels. */
    public void webhookRequest(String event, String outcome) {
        String label = event != null && event.matches("[a-z_]{1,64}") ? event : "unknown";
        webhookRequests.labelValues(label, outcome == null ? "unknown" : outcome).inc();
    }

    public void rejected(String pool) {
        rejected.labelValues(pool).inc();
    }

    /** The queue depth is read from the store on a worker thread before each scrape, then exposed here. */
    public void queueDepth(Map<JobState, Long> depth) {
        queueDepth.set(Map.copyOf(depth));
    }

    /** {@code driftless_leader}: 1 on the replica that runs the periodic resync, 0 on the others. */
    public void leadership(BooleanSupplier leader) {
        GaugeWithCallback.builder().name("driftless_leader")
                .help("1 when this replica leads (runs the periodic resync), 0 otherwise")
                .callback(callback -> callback.call(leader.getAsBoolean() ? 1 : 0))
                .register(registry);
    }

    @Override
    public void finished(Job job, JobResult result, Duration duration) {
        jobDurations.labelValues(job.kind().dbName(), result.label()).observe(duration.toNanos() / 1e9);
    }
}
