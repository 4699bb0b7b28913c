package dev.driftless.reconciler;

import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.http.BlockingPool;
import dev.driftless.reconciler.intake.StoreDeliverySink;
import dev.driftless.reconciler.intake.TokenStore;
import dev.driftless.reconciler.metrics.DaemonMetrics;
import dev.driftless.reconciler.queue.JobDispatcher;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.store.Database;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import java.time.Clock;
import java.util.function.BiConsumer;

/** What a {@link DaemonModule} can use and extend. */
public final class DaemonContext {
    private final DriftlessConfig config;
    private final Vertx vertx;
    private final Router router;
    private final Database database;
    private final JobQueue queue;
    private final JobDispatcher jobs;
    private final DaemonMetrics metrics;
    private final BlockingPool blockingPool;
    private final StoreDeliverySink intake;
    private final TokenStore tokens;
    private final Clock clock;
    private final BiConsumer<String, AutoCloseable> closers;

    DaemonContext(DriftlessConfig config, Vertx vertx, Router router, Database database, JobQueue queue, JobDispatcher jobs,
                  DaemonMetrics metrics, BlockingPool blockingPool, StoreDeliverySink intake, TokenStore tokens, Clock clock,
                  BiConsumer<String, AutoCloseable> closers) {
        this.config = config;
        this.vertx = vertx;
        this.router = router;
        this.database = database;
        this.queue = queue;
        this.jobs = jobs;
        this.metrics = metrics;
        this.blockingPool = blockingPool;
        this.intake = intake;
        this.tokens = tokens;
        this.clock = clock;
        this.closers = closers;
    }

    public DriftlessConfig config() {
        return config;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The router of the HTTP port (API, webhooks, git endpoint, ops). Mount more routes here. */
    public Router router() {
        return router;
    }

    /** The store; also a {@link dev.driftless.reconciler.reconcile.Transactions}. */
    public Database database() {
        return database;
    }

    public JobQueue queue() {
        return queue;
    }

    /** Register the handler of each job kind here. */
    public JobDispatcher jobs() {
        return jobs;
    }

    /** The one Prometheus registry of the daemon: register your metrics here and they appear on /metrics. */
    public PrometheusRegistry registry() {
        return metrics.registry();
    }

    public DaemonMetrics metrics() {
        return metrics;
    }

    /** A named bounded pool for blocking work started from HTTP handlers (answers 503 when full). */
    public BlockingPool blockingPool() {
        return blockingPool;
    }

    /** The delivery and git-push sink (also a {@link dev.driftless.webhook.GitPushSink}). */
    public StoreDeliverySink intake() {
        return intake;
    }

    /** Owner tokens (the git endpoint's {@link dev.driftless.webhook.PushAuthenticator}). */
    public TokenStore tokens() {
        return tokens;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Closed when the daemon stops (or fails to start), after job workers drained, in reverse order of
     * registration: register a part right after creating it, and it closes before what it uses. The store
     * and the event loop close after every module. {@code name} appears in the logs.
     */
    public void onStop(String name, AutoCloseable closer) {
        closers.accept(name, closer);
    }
}
