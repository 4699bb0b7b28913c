package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.DaemonContext;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.config.Secret;
import dev.driftless.reconciler.http.ApiAuth;
import dev.driftless.reconciler.reconcile.CommitBuilder;
import dev.driftless.reconciler.reconcile.ReconcileEvents;
import dev.driftless.reconciler.secrets.SecretStore;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Notifications wired into the daemon: the settings (default target, owners', repositories'), the outbox the
 * reconcile loop records events in, the sender, the {@code .driftless.yml} reader and the API.
 */
public final class Notifications {
    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);

    private final NotificationSettings settings;
    private final NotificationChanges changes;
    private final NotificationOutbox outbox;
    private final NotificationSender sender;
    private final RepositoryFileImporter importer;
    private final DaemonContext context;

    private Notifications(DaemonContext context, SecretStore secrets, AuditLog audit) {
        this.context = context;
        DriftlessConfig.Notifications config = context.config().notifications();
        Optional<NotificationTarget> defaultTarget = config.url().map(url -> {
            NotificationFormat format = NotificationFormat.parse(config.format());
            return new NotificationTarget(url, format, NotificationTarget.events(config.events()),
                    config.secret().isPresent() ? Optional.of("default") : Optional.empty(),
                    NotificationTarget.Origin.DEFAULT);
        });
        settings = new NotificationSettings(context.database(), secrets, defaultTarget,
                config.secret().map(Secret::reveal), context.clock());
        changes = new NotificationChanges(context.database(), settings, audit);
        sender = new NotificationSender(context.database(), settings, context.clock(), config.timeout(),
                context.registry());
        outbox = new NotificationOutbox(settings, context.clock(), sender::wakeUp);
        importer = new RepositoryFileImporter(settings, audit, context.database(), context.clock());
        defaultTarget.ifPresent(t -> LOG.info("event=notifications.default target={} format={} events={} signed={}",
                t.redactedUrl(), t.format().wireName(), t.events().isEmpty() ? "all" : NotificationTarget.eventsText(t.events()),
                t.secretRef().isPresent()));
    }

    /** Creates the parts and starts the sender (stopped with the daemon). */
    public static Notifications start(DaemonContext context, SecretStore secrets, AuditLog audit) {
        Notifications notifications = new Notifications(context, secrets, audit);
        notifications.sender.start();
        context.onStop("notification-sender", notifications.sender);
        return notifications;
    }

    /** Where the reconciler records its events. */
    public ReconcileEvents events() {
        return outbox;
    }

    /** {@code builder} reading each production commit's {@code .driftless.yml}. */
    public CommitBuilder readingRepositoryFile(CommitBuilder builder) {
        return importer.around(builder);
    }

    public void mount(ApiAuth auth, Router... routers) {
        NotificationRoutes routes = new NotificationRoutes(changes, context.database(), auth);
        for (Router router : routers) {
            routes.mount(router);
        }
    }

    public NotificationChanges changes() {
        return changes;
    }

    public NotificationSender sender() {
        return sender;
    }
}
