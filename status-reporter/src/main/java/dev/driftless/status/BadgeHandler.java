package dev.driftless.status;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /badge/:owner/:repo.svg} (the {@code driftless/stack} state) and
 * {@code GET /badge/:owner/:repo/:function.svg} (the {@code driftless/<function>} state). The state is
 * read on a bounded worker pool, never on the event loop; when too many reads wait, the answer is 503.
 * Unknown repositories get the grey "unknown" badge with 200. Every answer carries
 * {@code Cache-Control: no-cache} and an {@code ETag}, so GitHub's image proxy revalidates and gets 304
 * while nothing changed.
 */
public final class BadgeHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(BadgeHandler.class);
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    static final int DEFAULT_MAX_WAITING = 64;

    private final BadgeStates states;
    private final WorkerExecutor workers;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();

    /** @param workers a bounded, named worker pool for the blocking state reads */
    public BadgeHandler(BadgeStates states, WorkerExecutor workers, int maxWaiting) {
        this.states = Objects.requireNonNull(states, "states");
        this.workers = Objects.requireNonNull(workers, "workers");
        if (maxWaiting < 1) {
            throw new IllegalArgumentException("maxWaiting must be at least 1");
        }
        this.maxWaiting = maxWaiting;
    }

    /** With its own shared worker pool "driftless-badges" of 4 threads. */
    public static BadgeHandler create(Vertx vertx, BadgeStates states) {
        return new BadgeHandler(states, vertx.createSharedWorkerExecutor("driftless-badges", 4), DEFAULT_MAX_WAITING);
    }

    /** Adds both badge routes to {@code router}. */
    public BadgeHandler mount(Router router) {
        router.getWithRegex("/badge/(?<owner>[^/]+)/(?<repo>[^/]+)\\.svg").handler(this);
        router.getWithRegex("/badge/(?<owner>[^/]+)/(?<repo>[^/]+)/(?<function>[^/]+)\\.svg").handler(this);
        return this;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String owner = ctx.pathParam("owner");
        String repo = stripSvg(ctx.pathParam("repo"));
        String function = stripSvg(ctx.pathParam("function"));
        if (owner == null || repo == null || !OWNER.matcher(owner).matches() || !NAME.matcher(repo).matches()
                || (function != null && !NAME.matcher(function).matches())) {
            respond(ctx, 200, BadgeRenderer.Badge.UNKNOWN); // not a name GitHub could have: nothing is known
            return;
        }
        String context = function == null ? CommitStatus.STACK_CONTEXT : CommitStatus.functionContext(function);
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            respond(ctx, 503, BadgeRenderer.Badge.UNKNOWN);
            return;
        }
        workers.<Optional<CommitStatus.State>>executeBlocking(() -> states.latestState(owner, repo, context), false)
                .onComplete(ar -> {
                    waiting.decrementAndGet();
                    if (ar.succeeded()) {
                        respond(ctx, 200, BadgeRenderer.Badge.of(ar.result()));
                    } else {
                        LOG.warn("badge {}/{} {}: cannot read the state: {}", owner, repo, context, ar.cause().toString());
                        respond(ctx, 503, BadgeRenderer.Badge.UNKNOWN);
                    }
                });
    }

    private static String stripSvg(String name) {
        return name != null && name.endsWith(".svg") ? name.substring(0, name.length() - 4) : name;
    }

    private static void respond(RoutingContext ctx, int status, BadgeRenderer.Badge badge) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        String svg = BadgeRenderer.render(badge);
        String etag = etag(svg);
        ctx.response()
                .putHeader("Cache-Control", "no-cache")
                .putHeader("ETag", etag)
                .putHeader("X-Content-Type-Options", "nosniff");
        if (status == 200 && matches(ctx.request().getHeader("If-None-Match"), etag)) {
            ctx.response().setStatusCode(304).end();
            return;
        }
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "image/svg+xml; charset=utf-8")
                .end(svg);
    }

    static String etag(String svg) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(svg.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 9110 If-None-Match: a list of entity tags or "*", compared weakly. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
