package dev.driftless.reconciler.audit;

import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.SessionStore;
import dev.driftless.dashboard.TokenVerifier;
import dev.driftless.reconciler.http.ApiAuth;
import dev.driftless.reconciler.http.BlockingPool;
import dev.driftless.reconciler.http.Responses;
import dev.driftless.reconciler.reconcile.Transactions;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The audit trail's HTTP face: {@code GET /api/v1/owners/<owner>/audit?after=<cursor>&limit=<n>} (JSON lines,
 * oldest first; the {@code X-Next-Cursor} header and a {@code Link: rel="next"} give the next page), and
 * recorders in front of the dashboard's rollback and suspend/resume routes (API and forms) that write who
 * asked, for which release or repository, and what was serving before. The recorders never change the
 * request: they look, let it through, and write the entry when the answer has gone out.
 */
public final class AuditRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRoutes.class);
    static final String SESSION_COOKIE = "driftless_session";

    private final AuditLog audit;
    private final Transactions store;
    private final ApiAuth auth;
    private final TokenVerifier tokens;
    private final SessionStore sessions;
    private final Vertx vertx;
    private final BlockingPool pool;

    public AuditRoutes(AuditLog audit, Transactions store, ApiAuth auth, TokenVerifier tokens, SessionStore sessions,
                       Vertx vertx, BlockingPool pool) {
        this.audit = audit;
        this.store = store;
        this.auth = auth;
        this.tokens = tokens;
        this.sessions = sessions;
        this.vertx = vertx;
        this.pool = pool;
    }

    /** Mount before the dashboard, so the recorders see the requests first. */
    public void mount(Router router) {
        router.get("/api/v1/owners/:owner/audit").handler(ctx -> auth.owner(ctx, this::export));
        router.post("/api/v1/owners/:owner/functions/:function/rollback").handler(ctx -> record(ctx, Kind.ROLLBACK));
        router.post("/dashboard/:owner/functions/:function/rollback").handler(ctx -> record(ctx, Kind.ROLLBACK));
        for (String verb : new String[] {"suspend", "resume"}) {
            Kind kind = verb.equals("suspend") ? Kind.SUSPEND : Kind.RESUME;
            router.post("/api/v1/owners/:owner/repositories/:repository/" + verb).handler(ctx -> record(ctx, kind));
            router.post("/dashboard/:owner/repos/:repository/" + verb).handler(ctx -> record(ctx, kind));
        }
    }

    private void export(RoutingContext ctx, Principal principal, String owner) {
        long after;
        int limit;
        try {
            after = Long.parseLong(Optional.ofNullable(ctx.queryParams().get("after")).orElse("0"));
            limit = Integer.parseInt(Optional.ofNullable(ctx.queryParams().get("limit")).orElse("100"));
            if (after < 0 || limit < 1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            Responses.error(ctx, 400, "bad_request", "after (a cursor, >= 0) and limit (1.." + AuditLog.MAX_PAGE
                    + ") are numbers");
            return;
        }
        auth.blocking(ctx, () -> audit.page(owner, after, limit), page -> {
            StringBuilder body = new StringBuilder();
            page.entries().forEach(e -> body.append(e.toJson().encode()).append('\n'));
            ctx.response().putHeader("Content-Type", "application/x-ndjson; charset=utf-8")
                    .putHeader("X-Next-Cursor", Long.toString(page.next()));
            if (page.more()) {
                ctx.response().putHeader("Link", "</api/v1/owners/" + owner + "/audit?after=" + page.next() + "&limit="
                        + limit + ">; rel=\"next\"");
            }
            ctx.response().setStatusCode(200).end(body.toString());
        });
    }

    private enum Kind { ROLLBACK, SUSPEND, RESUME }

    /** Who asks and what serves now, then the request goes on; the entry is written once it was answered. */
    private void record(RoutingContext ctx, Kind kind) {
        String owner = ctx.pathParam("owner");
        String target = kind == Kind.ROLLBACK ? ctx.pathParam("function") : ctx.pathParam("repository");
        String authorization = ctx.request().getHeader("Authorization");
        Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
        String session = cookie == null ? null : cookie.getValue();
        boolean api = ctx.request().path().startsWith("/api/");
        // The dashboard's BodyHandler comes next on the rollback and form routes and resumes the request itself;
        // paused until then, no byte of the body is lost while the look-up runs.
        boolean bodyHandlerFollows = !api || kind == Kind.ROLLBACK;
        ctx.request().pause();
        pool.submit(vertx, () -> new Before(actor(authorization, session, api),
                kind == Kind.ROLLBACK ? currentRelease(owner, target) : Optional.empty()))
                .onComplete(result -> {
                    if (!bodyHandlerFollows) {
                        ctx.request().resume();
                    }
                    if (result.succeeded()) {
                        Before before = result.result();
                        ctx.addEndHandler(done -> written(ctx, kind, owner, target, before));
                    }
                    ctx.next();
                });
    }

    private record Before(Optional<String> actor, Optional<Integer> serving) { }

    private void written(RoutingContext ctx, Kind kind, String owner, String target, Before before) {
        int status = ctx.response().getStatusCode();
        if (before.actor().isEmpty() || status == 401 || status == 403) {
            return; // not authenticated: refused before anything happened; not an action of anyone
        }
        JsonObject detail = new JsonObject().put("status", status).put("accepted", status < 400);
        String action;
        if (kind == Kind.ROLLBACK) {
            action = AuditAction.ROLLBACK;
            Integer requested = requestedRelease(ctx);
            detail.put("from", before.serving().orElse(null)).put("to", requested);
        } else {
            action = kind == Kind.SUSPEND ? AuditAction.SUSPEND : AuditAction.RESUME;
        }
        pool.submit(vertx, () -> {
            if (kind == Kind.ROLLBACK) {
                currentRelease(owner, target).ifPresent(now -> detail.put("serving", now));
            }
            audit.append(AuditEntry.of(owner, before.actor().get(), action, target, detail));
            return null;
        }).onFailure(e -> LOG.error("event=audit.append_failed owner={} action={} error=\"{}\"", owner, action, e.toString()));
    }

    private static Integer requestedRelease(RoutingContext ctx) {
        try {
            String form = ctx.request().getFormAttribute("release");
            if (form != null) {
                return Integer.valueOf(form.strip());
            }
            JsonObject body = ctx.body() == null ? null : ctx.body().asJsonObject();
            return body == null ? null : body.getInteger("release");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Optional<String> actor(String authorization, String session, boolean api) {
        if (api) {
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.empty();
            }
            return tokens.verify(authorization.substring(7).strip()).map(Principal::name);
        }
        return session == null ? Optional.empty() : sessions.find(session).map(s -> s.principal().name());
    }

    private Optional<Integer> currentRelease(String owner, String function) throws SQLException {
        return store.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT current_release FROM function_conditions WHERE owner = ? AND function_name = ?")) {
                q.setString(1, owner);
                q.setString(2, function);
                try (ResultSet rows = q.executeQuery()) {
                    if (rows.next()) {
                        int n = rows.getInt(1);
                        return rows.wasNull() ? Optional.<Integer>empty() : Optional.of(n);
                    }
                    return Optional.<Integer>empty();
                }
            }
        });
    }
}
