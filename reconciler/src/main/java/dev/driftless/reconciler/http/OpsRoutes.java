package dev.driftless.reconciler.http;

import dev.driftless.reconciler.metrics.DaemonMetrics;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.store.Database;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.ByteArrayOutputStream;

/**
 * Operations endpoints: {@code /healthz} (the process answers), {@code /readyz} (the store is reachable
 * and migrated), {@code /metrics} (Prometheus text). The store checks run on the ops pool, never the event loop.
 */
public final class OpsRoutes {
    private final Vertx vertx;
    private final Database db;
    private final JobQueue queue;
    private final DaemonMetrics metrics;
    private final BlockingPool pool;

    public OpsRoutes(Vertx vertx, Database db, JobQueue queue, DaemonMetrics metrics, BlockingPool pool) {
        this.vertx = vertx;
        this.db = db;
        this.queue = queue;
        this.metrics = metrics;
        this.pool = pool;
    }

    public void mount(Router router) {
        router.get("/healthz").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "up")));
        router.get("/readyz").handler(this::readyz);
        router.get("/metrics").handler(this::metrics);
    }

    private void readyz(RoutingContext ctx) {
        pool.submit(vertx, db::isReady).onComplete(result -> {
            if (Responses.failedForPool(ctx, result, metrics, pool)) {
                return;
            }
            boolean ready = result.succeeded() && result.result();
            Responses.json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "ready" : "not ready")
                    .put("store", ready ? "reachable, migrated" : "unreachable or not migrated"));
        });
    }

    private void metrics(RoutingContext ctx) {
        pool.submit(vertx, () -> {
            try {
                metrics.queueDepth(queue.depthByState());
            } catch (Exception e) {
                // The store is down: expose the other metrics anyway; /readyz says what is wrong.
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            new PrometheusTextFormatWriter(false).write(out, metrics.registry().scrape());
            return out.toByteArray();
        }).onComplete(result -> {
            if (Responses.failedForPool(ctx, result, metrics, pool)) {
                return;
            }
            if (result.failed()) {
                Responses.error(ctx, 500, "metrics_failed", "could not collect metrics");
                return;
            }
            ctx.response().putHeader("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE)
                    .end(Buffer.buffer(result.result()));
        });
    }
}
