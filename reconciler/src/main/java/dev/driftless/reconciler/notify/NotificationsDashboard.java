package dev.driftless.reconciler.notify;

import dev.driftless.dashboard.Views;
import dev.driftless.reconciler.reconcile.ReconcileEvent;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/** The dashboard's notification settings page over {@link NotificationChanges}: the secret goes in, never out. */
public final class NotificationsDashboard {
    private static final List<String> KNOWN = Arrays.stream(ReconcileEvent.Type.values())
            .map(ReconcileEvent.Type::wireName).toList();

    private final NotificationChanges changes;

    public NotificationsDashboard(NotificationChanges changes) {
        this.changes = changes;
    }

    public Views.NotificationsPage page(String owner) throws SQLException {
        return new Views.NotificationsPage(changes.settings().ownerTarget(owner).map(NotificationsDashboard::view), KNOWN);
    }

    public Views.NotificationTarget save(String owner, String actor, Views.NotificationForm form) throws SQLException {
        NotificationFormat format = NotificationFormat.parse(form.format());
        NotificationSettings.SecretChange secret = form.removeSecret() ? new NotificationSettings.SecretChange.Remove()
                : form.secret().isEmpty() ? new NotificationSettings.SecretChange.Keep()
                : new NotificationSettings.SecretChange.Set(form.secret());
        return view(changes.set(owner, actor, NotificationTarget.url(form.url()), format,
                NotificationTarget.events(form.events()), secret));
    }

    public boolean remove(String owner, String actor) throws SQLException {
        return changes.remove(owner, actor);
    }

    private static Views.NotificationTarget view(NotificationSettings.OwnerTarget target) {
        return new Views.NotificationTarget(target.target().url().toString(), target.target().format().wireName(),
                target.target().events().stream().sorted().map(ReconcileEvent.Type::wireName).toList(),
                target.secretSet(), target.updatedAt());
    }
}
