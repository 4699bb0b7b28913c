package dev.driftless.reconciler.http;

import dev.driftless.reconciler.metrics.DaemonMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers with a fixed error shape: {@code {"error": code, "message": text}}. */
public final class Responses {
    private Responses() { }

    public static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                .end(body.encode());
    }

    public static void error(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, new JsonObject().put("error", code).put("message", message));
    }

    /** Answers 503 (and counts it) when the blocking work was refused because its pool was full. */
    static boolean failedForPool(RoutingContext ctx, AsyncResult<?> result, DaemonMetrics metrics, BlockingPool pool) {
        if (result.failed() && result.cause() instanceof BlockingPool.PoolFullException) {
            metrics.rejected(pool.name());
            ctx.response().putHeader("Retry-After", "1");
            error(ctx, 503, "busy", "the daemon is busy; retry shortly");
            return true;
        }
        return false;
    }
}
