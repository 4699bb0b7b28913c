package dev.driftless.reconciler.secrets;

import dev.driftless.dashboard.Principal;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.http.ApiAuth;
import dev.driftless.reconciler.http.Responses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The secrets API: {@code GET|POST /api/v1/owners/<owner>/secrets}, {@code PUT|DELETE …/secrets/<name>}
 * (bearer token of the owner or the admin) and {@code GET /api/v1/sealing-key} (the public key, no token).
 * A value goes in as {@code {"value": "text"}} or {@code {"valueBase64": "…"}} and is never sent back.
 */
public final class SecretRoutes {
    private static final long BODY_LIMIT = SecretStore.MAX_VALUE_BYTES * 2L + 1024;

    private final SecretStore store;
    private final SealingKey sealing;
    private final AuditLog audit;
    private final ApiAuth auth;

    public SecretRoutes(SecretStore store, SealingKey sealing, AuditLog audit, ApiAuth auth) {
        this.store = store;
        this.sealing = sealing;
        this.audit = audit;
        this.auth = auth;
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
        router.get("/api/v1/sealing-key").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/x-pem-file")
                .putHeader("X-Driftless-Key-Fingerprint", sealing.fingerprint())
                .end(sealing.publicKeyPem()));
        router.get("/api/v1/owners/:owner/secrets").handler(ctx -> auth.owner(ctx, this::list));
        router.post("/api/v1/owners/:owner/secrets").handler(body).handler(ctx -> auth.owner(ctx,
                (c, principal, owner) -> put(c, principal, owner, null)));
        router.put("/api/v1/owners/:owner/secrets/:name").handler(body).handler(ctx -> auth.owner(ctx,
                (c, principal, owner) -> put(c, principal, owner, c.pathParam("name"))));
        router.delete("/api/v1/owners/:owner/secrets/:name").handler(ctx -> auth.owner(ctx, this::delete));
    }

    private void list(RoutingContext ctx, Principal principal, String owner) {
        auth.blocking(ctx, () -> store.list(owner), secrets -> {
            JsonArray array = new JsonArray();
            secrets.forEach(s -> array.add(json(s)));
            Responses.json(ctx, 200, new JsonObject().put("owner", owner).put("secrets", array));
        });
    }

    private void put(RoutingContext ctx, Principal principal, String owner, String pathName) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            Responses.error(ctx, 400, "bad_request", "send {\"name\": …, \"value\": \"text\"} or {\"valueBase64\": …}");
            return;
        }
        String name = pathName != null ? pathName : body.getString("name");
        byte[] value;
        try {
            value = value(body);
            SecretStore.validate(owner, name);
        } catch (IllegalArgumentException | ClassCastException e) {
            Responses.error(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        byte[] clear = value;
        auth.blocking(ctx, () -> {
            SecretStore.PutResult result = store.put(owner, name, clear, "api");
            audit.append(SecretAudit.changed(principal.name(), owner, name, result, clear.length));
            return result;
        }, result -> auth.blocking(ctx, () -> store.info(owner, name).orElseThrow(), info ->
                Responses.json(ctx, result == SecretStore.PutResult.CREATED ? 201 : 200, json(info))));
    }

    private void delete(RoutingContext ctx, Principal principal, String owner) {
        String name = ctx.pathParam("name");
        auth.blocking(ctx, () -> {
            boolean deleted = store.delete(owner, name);
            if (deleted) {
                audit.append(SecretAudit.deleted(principal.name(), owner, name));
            }
            return deleted;
        }, deleted -> {
            if (deleted) {
                ctx.response().setStatusCode(204).end();
            } else {
                Responses.error(ctx, 404, "not_found", "no secret " + name + " for " + owner);
            }
        });
    }

    private static byte[] value(JsonObject body) {
        String text = body.getString("value");
        String base64 = body.getString("valueBase64");
        if ((text == null) == (base64 == null)) {
            throw new IllegalArgumentException("send exactly one of \"value\" (text) and \"valueBase64\"");
        }
        byte[] value;
        if (text != null) {
            value = text.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                value = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("valueBase64 is not base64");
            }
        }
        if (value.length == 0) {
            throw new IllegalArgumentException("the value is empty");
        }
        if (value.length > SecretStore.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("the value is " + value.length + " bytes; at most "
                    + SecretStore.MAX_VALUE_BYTES + " are accepted");
        }
        return value;
    }

    static JsonObject json(SecretStore.SecretInfo s) {
        return new JsonObject().put("name", s.name()).put("sizeBytes", s.sizeBytes()).put("origin", s.origin())
                .put("createdAt", s.createdAt().toString()).put("updatedAt", s.updatedAt().toString());
    }
}
