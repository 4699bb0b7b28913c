package dev.driftless.reconciler;

import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.config.Secret;
import dev.driftless.reconciler.http.BlockingPool;
import dev.driftless.reconciler.http.OpsRoutes;
import dev.driftless.reconciler.http.Responses;
import dev.driftless.reconciler.intake.GroupCommit;
import dev.driftless.reconciler.intake.StoreDeliverySink;
import dev.driftless.reconciler.intake.TokenStore;
import dev.driftless.reconciler.metrics.DaemonMetrics;
import dev.driftless.reconciler.queue.Backoff;
import dev.driftless.reconciler.queue.JobDispatcher;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobWorker;
import dev.driftless.reconciler.store.Database;
import dev.driftless.webhook.DeliverySink;
import dev.driftless.webhook.WebhookHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The daemon: store, job queue and workers, and the HTTP server with webhooks, ops endpoints and whatever
 * the {@link DaemonModule}s mount. {@link #start} returns once the port listens; {@link #close} stops
 * accepting, drains running jobs, then closes the store.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration POLL = Duration.ofSeconds(1);
    static final Duration DRAIN_GRACE = Duration.ofSeconds(30);

    private final DaemonContext context;
    private final HttpServer server;
    private final JobWorker worker;
    private final Closers closers;
    private volatile boolean closed;

    private Daemon(DaemonContext context, HttpServer server, JobWorker worker, Closers closers) {
        this.context = context;
        this.server = server;
        this.worker = worker;
        this.closers = closers;
    }

    /** Starts everything; on failure, what was started is stopped again and the cause is thrown. */
    public static Daemon start(DriftlessConfig config, List<DaemonModule> modules) throws Exception {
        return start(config, modules, new PrometheusRegistry(), Clock.systemUTC());
    }

    public static Daemon start(DriftlessConfig config, List<DaemonModule> modules, PrometheusRegistry registry,
                               Clock clock) throws Exception {
        // One list for the daemon's own parts and what modules register: closed once, newest first, store last.
        Closers resources = new Closers();
        try {
            Files.createDirectories(config.data());
            Database database = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword(),
                    Math.max(4, config.workers() + 8));
            resources.add("store", database);
            // epoll when netty's native transport loads (the gateway ships it for x86-64 Linux), NIO otherwise.
            Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
            resources.add("vertx", () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            DaemonMetrics metrics = new DaemonMetrics(registry, true);
            JobQueue queue = new JobQueue(database, clock, LEASE, Backoff.standard());
            JobDispatcher jobs = new JobDispatcher();
            BlockingPool ops = new BlockingPool("driftless-ops", 2, 32);
            resources.add("ops-pool", ops);
            JobWorker[] worker = new JobWorker[1];
            StoreDeliverySink intake = new StoreDeliverySink(database, queue, config, metrics,
                    () -> { if (worker[0] != null) { worker[0].wake(); } }, clock);
            TokenStore tokens = new TokenStore(database, clock);
            Router router = Router.router(vertx);
            DaemonContext context = new DaemonContext(config, vertx, router, database, queue, jobs, metrics, ops, intake,
                    tokens, clock, resources::add);

            new OpsRoutes(vertx, database, queue, metrics, ops).mount(router);
            mountWebhooks(context, resources);
            List<DaemonModule> ordered = new ArrayList<>(modules);
            ordered.sort(Comparator.comparingInt(DaemonModule::order));
            for (DaemonModule module : ordered) {
                module.configure(context);
                LOG.info("event=daemon.module module={}", module.getClass().getName());
            }
            router.route().last().handler(ctx -> Responses.error(ctx, 404, "not_found", "no such route"));

            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setPort(config.httpPort()))
                    .requestHandler(router);
            listen(server);
            worker[0] = new JobWorker(queue, jobs, jobs.kinds(), metrics, config.workers(), POLL, DRAIN_GRACE);
            worker[0].start();
            LOG.info("event=daemon.started http_port={} data={} store={} workers={} job_kinds={}", server.actualPort(),
                    config.data(), database.dialect(), config.workers(), jobs.kinds());
            return new Daemon(context, server, worker[0], resources);
        } catch (Exception | Error e) {
            resources.closeAll();
            throw e;
        }
    }

    /** Intake transactions in flight at once: pushes to different repositories commit in parallel. */
    private static final int COMMIT_LANES = 8;

    private static void mountWebhooks(DaemonContext context, Closers resources) {
        DriftlessConfig config = context.config();
        // Webhook intake does JDBC: on its own named pool; WebhookHandler bounds in-flight deliveries (503 past it).
        WorkerExecutor webhookPool = context.vertx().createSharedWorkerExecutor("driftless-webhook", 8);
        resources.add("webhook-pool", webhookPool::close);
        // Group commit: deliveries that arrive together share one transaction (and its fsync); created after the
        // store, so closed before it.
        DeliverySink sink = context.intake();
        if (config.webhookGroupCommit()) {
            GroupCommit groupCommit = new GroupCommit(context.intake()::acceptAll, WebhookHandler.DEFAULT_MAX_IN_FLIGHT,
                    COMMIT_LANES);
            resources.add("group-commit", groupCommit);
            sink = groupCommit;
        }
        WebhookHandler webhooks = WebhookHandler.builder()
                .secrets(config.githubWebhookSecret().map(Secret::reveal).orElse(null),
                        config.githubWebhookSecretPrevious().map(Secret::reveal).orElse(null))
                .maxBodyBytes(config.webhookMaxBody())
                .sink(sink)
                .worker(webhookPool)
                .clock(context.clock())
                .outcomes((event, outcome) -> context.metrics().webhookRequest(event, outcome))
                .build();
        context.router().post("/webhooks/github").handler(webhooks);
    }

    private static void listen(HttpServer server) throws Exception {
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("cannot listen on port " + server.actualPort() + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IOException("HTTP server did not start within 30 s", e);
        }
    }

    public DaemonContext context() {
        return context;
    }

    /** The port the HTTP server listens on (the configured one, or the one chosen for port 0). */
    public int httpPort() {
        return server.actualPort();
    }

    public PrometheusRegistry registry() {
        return context.registry();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("event=daemon.stopping");
        // Stop accepting first, then drain running jobs, then everything else newest first.
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("event=daemon.http_close_failed error=\"{}\"", e.toString());
        }
        worker.close();
        closers.closeAll();
        LOG.info("event=daemon.stopped closed=\"{}\"", String.join(",", closers.closed()));
    }

    /** The names of what {@link #close} closed after the HTTP server and the job workers, in the order it closed them. */
    public List<String> closedInOrder() {
        return closers.closed();
    }
}
