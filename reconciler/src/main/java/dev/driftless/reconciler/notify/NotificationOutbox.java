package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.reconcile.ReconcileEvent;
import dev.driftless.reconciler.reconcile.ReconcileEvents;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The notification outbox's writing side: each event the reconcile loop records becomes one row per target
 * that wants it, in the event's own transaction (nothing is lost: the row exists exactly when the change was
 * committed). Each row gets its delivery id here, and its body is rendered here, once.
 */
public final class NotificationOutbox implements ReconcileEvents {
    private final NotificationSettings settings;
    private final Clock clock;
    private final Runnable wake;

    public NotificationOutbox(NotificationSettings settings, Clock clock, Runnable wake) {
        this.settings = settings;
        this.clock = clock;
        this.wake = wake;
    }

    @Override
    public void record(Connection tx, ReconcileEvent event) throws SQLException {
        int queued = 0;
        for (NotificationTarget target : settings.targetsFor(tx, event.owner(), event.repository())) {
            if (!target.accepts(event.type())) {
                continue;
            }
            String deliveryId = UUID.randomUUID().toString();
            OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            try (PreparedStatement insert = tx.prepareStatement("""
                    INSERT INTO notification_outbox (delivery_id, owner, repository, event, origin, url, format,
                        secret_ref, body, outcome, attempts, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)""")) {
                insert.setString(1, deliveryId);
                insert.setString(2, event.owner());
                insert.setString(3, event.repository());
                insert.setString(4, event.type().wireName());
                insert.setString(5, target.origin().name().toLowerCase(java.util.Locale.ROOT));
                insert.setString(6, target.url().toString());
                insert.setString(7, target.format().wireName());
                // Slack authenticates by its URL and verifies nothing: only JSON targets are signed.
                insert.setString(8, target.format() == NotificationFormat.JSON ? target.secretRef().orElse(null) : null);
                insert.setString(9, Payloads.render(target.format(), deliveryId, event));
                insert.setObject(10, now);
                insert.setObject(11, now);
                insert.executeUpdate();
            }
            queued++;
        }
        if (queued > 0) {
            // The sender looks at once (it finds the rows when this transaction has committed, or at its next poll).
            wake.run();
        }
    }
}
