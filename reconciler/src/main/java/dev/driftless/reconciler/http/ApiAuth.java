package dev.driftless.reconciler.http;

import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.TokenVerifier;
import dev.driftless.reconciler.metrics.DaemonMetrics;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Bearer-token authentication of the {@code /api/v1/owners/<owner>/…} routes added outside the dashboard
 * module, with the dashboard's rules: 401 without a valid token, 403 for another owner's resources, and the
 * token check (a store look-up) on the bounded pool.
 */
public final class ApiAuth {
    private final Vertx vertx;
    private final TokenVerifier tokens;
    private final BlockingPool pool;
    private final DaemonMetrics metrics;

    public ApiAuth(Vertx vertx, TokenVerifier tokens, BlockingPool pool, DaemonMetrics metrics) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.pool = pool;
        this.metrics = metrics;
    }

    /** What an authenticated route does once the principal may act on the owner of the path. */
    @FunctionalInterface
    public interface OwnerCall {
        void handle(RoutingContext ctx, Principal principal, String owner);
    }

    /** Authenticates, checks the {@code :owner} path parameter, then calls {@code call} on the event loop. */
    public void owner(RoutingContext ctx, OwnerCall call) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"driftless\"");
            Responses.error(ctx, 401, "unauthorized", "send Authorization: Bearer <token>");
            return;
        }
        String owner = ctx.pathParam("owner");
        String token = header.substring(7).strip();
        blocking(ctx, () -> tokens.verify(token), (Optional<Principal> principal) -> {
            if (principal.isEmpty()) {
                Responses.error(ctx, 401, "unauthorized", "the token is not valid");
            } else if (!principal.get().maySee(owner)) {
                Responses.error(ctx, 403, "forbidden", "this token may not act on " + owner);
            } else {
                call.handle(ctx, principal.get(), owner);
            }
        });
    }

    /** Runs blocking work on the pool; 503 when it is full, 500 (with the message) when the work throws. */
    public <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        pool.submit(vertx, work).onComplete(result -> {
            if (Responses.failedForPool(ctx, result, metrics, pool)) {
                return;
            }
            if (result.failed()) {
                Throwable cause = result.cause();
                if (cause instanceof IllegalArgumentException) {
                    Responses.error(ctx, 400, "bad_request", cause.getMessage());
                } else {
                    Responses.error(ctx, 500, "internal", String.valueOf(cause.getMessage()));
                }
                return;
            }
            then.accept(result.result());
        });
    }
}
