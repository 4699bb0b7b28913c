package dev.driftless.reconciler.secrets;

import dev.driftless.reconciler.audit.AuditAction;
import dev.driftless.reconciler.audit.AuditEntry;
import io.vertx.core.json.JsonObject;

/** Audit entries of secret changes: names and sizes, never values. */
final class SecretAudit {
    /** Owner of entries that concern the daemon as a whole (key rotation); not a valid owner name. */
    static final String DAEMON = "_daemon";

    private SecretAudit() { }

    static AuditEntry changed(String actor, String owner, String name, SecretStore.PutResult result, int size) {
        return AuditEntry.of(owner, actor, result == SecretStore.PutResult.CREATED
                ? AuditAction.SECRET_CREATED : AuditAction.SECRET_UPDATED, name, new JsonObject().put("sizeBytes", size));
    }

    static AuditEntry sealedFromGit(String owner, String name, SecretStore.PutResult result, int size, String repository,
                                    String commit) {
        return AuditEntry.of(owner, "git:" + repository, result == SecretStore.PutResult.CREATED
                        ? AuditAction.SECRET_CREATED : AuditAction.SECRET_UPDATED, name,
                new JsonObject().put("sizeBytes", size).put("repository", repository).put("commit", commit));
    }

    static AuditEntry deleted(String actor, String owner, String name) {
        return AuditEntry.of(owner, actor, AuditAction.SECRET_DELETED, name, new JsonObject());
    }

    static AuditEntry rotated(String actor, String keyId, int reencrypted) {
        return AuditEntry.of(DAEMON, actor, AuditAction.SECRET_KEY_ROTATED, keyId,
                new JsonObject().put("reencrypted", reencrypted));
    }
}
