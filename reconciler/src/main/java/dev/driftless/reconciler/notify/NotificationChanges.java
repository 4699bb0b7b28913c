package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.audit.AuditAction;
import dev.driftless.reconciler.audit.AuditEntry;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.reconcile.ReconcileEvent;
import dev.driftless.reconciler.reconcile.Transactions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Changes of an owner's notification target (API and dashboard), each with its audit entry in the same
 * transaction. The entry names the URL without its path (a Slack webhook's path is its key) and says whether a
 * secret was set, kept or removed, never the secret.
 */
public final class NotificationChanges {
    private final Transactions store;
    private final NotificationSettings settings;
    private final AuditLog audit;

    public NotificationChanges(Transactions store, NotificationSettings settings, AuditLog audit) {
        this.store = store;
        this.settings = settings;
        this.audit = audit;
    }

    public NotificationSettings settings() {
        return settings;
    }

    public NotificationSettings.OwnerTarget set(String owner, String actor, URI url, NotificationFormat format,
                                                Set<ReconcileEvent.Type> events, NotificationSettings.SecretChange secret)
            throws SQLException {
        if (format == NotificationFormat.SLACK && secret instanceof NotificationSettings.SecretChange.Set) {
            throw new IllegalArgumentException("a secret applies to json targets; Slack does not verify signatures");
        }
        return store.inTransaction(tx -> {
            NotificationSettings.SecretChange change = format == NotificationFormat.SLACK
                    ? new NotificationSettings.SecretChange.Remove() : secret;
            NotificationSettings.OwnerTarget stored = settings.putOwnerTarget(tx, owner, url, format, events, change);
            audit.append(tx, AuditEntry.of(owner, actor, AuditAction.NOTIFICATIONS_CHANGED, "owner",
                    new JsonObject().put("source", "owner").put("change", "set")
                            .put("targets", NotificationRoutes.describe(List.of(stored.target())))
                            .put("secret", change instanceof NotificationSettings.SecretChange.Set ? "set"
                                    : change instanceof NotificationSettings.SecretChange.Remove ? "removed"
                                    : stored.secretSet() ? "kept" : "none")));
            return stored;
        });
    }

    public boolean remove(String owner, String actor) throws SQLException {
        return store.inTransaction(tx -> {
            Optional<NotificationSettings.OwnerTarget> before = NotificationSettings.ownerTarget(tx, owner);
            boolean removed = settings.removeOwnerTarget(tx, owner);
            if (removed) {
                audit.append(tx, AuditEntry.of(owner, actor, AuditAction.NOTIFICATIONS_CHANGED, "owner",
                        new JsonObject().put("source", "owner").put("change", "removed")
                                .put("targets", NotificationRoutes.describe(before.map(b -> List.of(b.target())).orElse(List.of())))));
            }
            return removed;
        });
    }
}
