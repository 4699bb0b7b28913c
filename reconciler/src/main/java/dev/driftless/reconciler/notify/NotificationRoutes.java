package dev.driftless.reconciler.notify;

import dev.driftless.dashboard.Principal;
import dev.driftless.reconciler.http.ApiAuth;
import dev.driftless.reconciler.http.Responses;
import dev.driftless.reconciler.reconcile.ReconcileEvent;
import dev.driftless.reconciler.reconcile.Transactions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The notifications API (bearer token of the owner or the admin, as the other owner routes):
 * {@code GET|PUT|DELETE /api/v1/owners/<owner>/notifications} and {@code GET …/notifications/deliveries}. A
 * secret goes in with PUT and never comes back: GET says only {@code "secretSet": true}.
 */
public final class NotificationRoutes {
    private static final long BODY_LIMIT = 16 * 1024;

    private final NotificationChanges changes;
    private final Transactions store;
    private final ApiAuth auth;

    public NotificationRoutes(NotificationChanges changes, Transactions store, ApiAuth auth) {
        this.changes = changes;
        this.store = store;
        this.auth = auth;
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
        router.get("/api/v1/owners/:owner/notifications").handler(ctx -> auth.owner(ctx, this::get));
        router.put("/api/v1/owners/:owner/notifications").handler(body).handler(ctx -> auth.owner(ctx, this::put));
        router.delete("/api/v1/owners/:owner/notifications").handler(ctx -> auth.owner(ctx, this::delete));
        router.get("/api/v1/owners/:owner/notifications/deliveries").handler(ctx -> auth.owner(ctx, this::deliveries));
    }

    private void get(RoutingContext ctx, Principal principal, String owner) {
        auth.blocking(ctx, () -> changes.settings().ownerTarget(owner), target -> {
            if (target.isEmpty()) {
                Responses.error(ctx, 404, "not_found", owner + " has no notification target; PUT one");
            } else {
                Responses.json(ctx, 200, target.get().toJson());
            }
        });
    }

    private void put(RoutingContext ctx, Principal principal, String owner) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            Responses.error(ctx, 400, "bad_request", "send {\"url\": …, \"format\": \"json\"|\"slack\", \"events\": […], "
                    + "\"secret\": …}");
            return;
        }
        URI url;
        NotificationFormat format;
        Set<ReconcileEvent.Type> events;
        NotificationSettings.SecretChange secret;
        try {
            url = NotificationTarget.url(body.getString("url"));
            format = NotificationFormat.parse(Optional.ofNullable(body.getString("format")).orElse("json"));
            JsonArray list = body.getJsonArray("events");
            List<String> names = new ArrayList<>();
            if (list != null) {
                list.forEach(o -> names.add(String.valueOf(o)));
            }
            events = NotificationTarget.events(names);
            if (body.getBoolean("removeSecret", false)) {
                secret = new NotificationSettings.SecretChange.Remove();
            } else if (body.getValue("secret") != null) {
                secret = new NotificationSettings.SecretChange.Set(body.getString("secret"));
            } else {
                secret = new NotificationSettings.SecretChange.Keep();
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            Responses.error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        auth.blocking(ctx, () -> changes.set(owner, principal.name(), url, format, events, secret),
                stored -> Responses.json(ctx, 200, stored.toJson()));
    }

    private void delete(RoutingContext ctx, Principal principal, String owner) {
        auth.blocking(ctx, () -> changes.remove(owner, principal.name()), removed -> {
            if (removed) {
                ctx.response().setStatusCode(204).end();
            } else {
                Responses.error(ctx, 404, "not_found", owner + " has no notification target");
            }
        });
    }

    /** The owner's newest deliveries (50), for finding out why a receiver heard nothing. */
    private void deliveries(RoutingContext ctx, Principal principal, String owner) {
        auth.blocking(ctx, () -> store.inTransaction(tx -> {
            JsonArray rows = new JsonArray();
            try (PreparedStatement q = tx.prepareStatement("SELECT delivery_id, event, origin, url, format, outcome, "
                    + "attempts, last_http_status, last_error, created_at, finished_at FROM notification_outbox "
                    + "WHERE owner = ? ORDER BY id DESC LIMIT 50")) {
                q.setString(1, owner);
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        int status = r.getInt(8);
                        Integer lastStatus = r.wasNull() ? null : status;
                        OffsetDateTime finished = r.getObject(11, OffsetDateTime.class);
                        rows.add(new JsonObject().put("delivery", r.getString(1)).put("event", r.getString(2))
                                .put("origin", r.getString(3)).put("target", NotificationTarget.redact(URI.create(r.getString(4))))
                                .put("format", r.getString(5)).put("outcome", r.getString(6)).put("attempts", r.getInt(7))
                                .put("lastHttpStatus", lastStatus).put("lastError", r.getString(9))
                                .put("createdAt", r.getObject(10, OffsetDateTime.class).toInstant().toString())
                                .put("finishedAt", finished == null ? null : finished.toInstant().toString()));
                    }
                }
            }
            return rows;
        }), rows -> Responses.json(ctx, 200, new JsonObject().put("owner", owner).put("deliveries", rows)));
    }

    /** Targets as the audit trail and logs show them: URL without path, format, events, secret reference. */
    static JsonArray describe(List<NotificationTarget> targets) {
        JsonArray out = new JsonArray();
        for (NotificationTarget t : targets) {
            out.add(new JsonObject().put("url", t.redactedUrl()).put("format", t.format().wireName())
                    .put("events", NotificationTarget.eventsText(t.events()))
                    .put("secret", t.secretRef().map(ref -> ref.startsWith("secret:") ? ref : "set").orElse("none")));
        }
        return out;
    }
}
