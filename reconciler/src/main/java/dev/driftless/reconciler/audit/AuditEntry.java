package dev.driftless.reconciler.audit;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit trail.
 *
 * @param id        order and paging cursor (0 before it is stored)
 * @param owner     whose resources it concerns
 * @param actor     who did it: a token's owner, {@code admin}, a GitHub login, {@code cli}, or {@code daemon}
 * @param action    what, from {@link AuditAction}
 * @param target    the repository, function or secret it concerns (may be empty)
 * @param detail    facts of the action (commit, release numbers, sizes), never a secret value
 * @param createdAt when
 */
public record AuditEntry(long id, String owner, String actor, String action, String target, JsonObject detail,
                         Instant createdAt) {
    public AuditEntry {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        target = target == null ? "" : target;
        detail = detail == null ? new JsonObject() : detail.copy();
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public static AuditEntry of(String owner, String actor, String action, String target, JsonObject detail) {
        return new AuditEntry(0, owner, actor, action, target, detail, Instant.EPOCH);
    }

    /** The JSON line of the export. */
    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("time", createdAt.toString()).put("owner", owner).put("actor", actor)
                .put("action", action).put("target", target).put("detail", detail.copy());
    }
}
