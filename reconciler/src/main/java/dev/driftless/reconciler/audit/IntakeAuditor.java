package dev.driftless.reconciler.audit;

import dev.driftless.reconciler.intake.StoreDeliverySink;
import dev.driftless.webhook.GitHubEvent;
import dev.driftless.webhook.RepositoryChanged;
import dev.driftless.webhook.RepositoryRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Audit entries for what enters through webhooks and the git endpoint: pushes and installation changes. */
public final class IntakeAuditor implements StoreDeliverySink.RecordedEvents {
    private final AuditLog audit;

    public IntakeAuditor(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void github(Connection tx, String deliveryId, GitHubEvent event, String outcome) throws SQLException {
        Optional<AuditEntry> entry = entry(deliveryId, event, outcome);
        if (entry.isPresent()) {
            audit.append(tx, entry.get());
        }
    }

    /** A group commit's events: their entries in one batched insert. */
    @Override
    public void githubAll(Connection tx, List<StoreDeliverySink.RecordedGitHubEvent> events) throws SQLException {
        List<AuditEntry> entries = new ArrayList<>(events.size());
        for (StoreDeliverySink.RecordedGitHubEvent e : events) {
            entry(e.deliveryId(), e.event(), e.outcome()).ifPresent(entries::add);
        }
        audit.appendAll(tx, entries);
    }

    private static Optional<AuditEntry> entry(String deliveryId, GitHubEvent event, String outcome) {
        if (event instanceof GitHubEvent.Push push) {
            RepositoryRef repo = push.repository();
            if (repo == null || blank(repo.owner())) {
                return Optional.empty(); // nothing to file it under; the delivery itself is recorded
            }
            return Optional.of(AuditEntry.of(repo.owner(), push.pusher() == null || push.pusher().isBlank()
                            ? "github" : push.pusher(), AuditAction.PUSH, repo.name(),
                    new JsonObject().put("ref", push.ref()).put("before", push.before()).put("commit", push.after())
                            .put("forced", push.forced()).put("delivery", deliveryId).put("outcome", outcome)
                            .put("via", "github")));
        } else if (event instanceof GitHubEvent.Installation installation && !blank(installation.account())) {
            JsonArray repositories = new JsonArray();
            installation.repositories().forEach(r -> repositories.add(r.name()));
            return Optional.of(AuditEntry.of(installation.account(), "github", AuditAction.INSTALLATION, "",
                    new JsonObject().put("action", installation.action())
                            .put("installationId", installation.installationId()).put("repositories", repositories)
                            .put("delivery", deliveryId)));
        } else if (event instanceof GitHubEvent.InstallationRepositories changed && !blank(changed.account())) {
            JsonArray added = new JsonArray();
            changed.added().forEach(r -> added.add(r.name()));
            JsonArray removed = new JsonArray();
            changed.removed().forEach(r -> removed.add(r.name()));
            return Optional.of(AuditEntry.of(changed.account(), "github", AuditAction.INSTALLATION, "",
                    new JsonObject().put("action", "repositories_" + changed.action())
                            .put("installationId", changed.installationId()).put("added", added).put("removed", removed)
                            .put("delivery", deliveryId)));
        }
        return Optional.empty();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public void gitPush(Connection tx, String deliveryId, RepositoryChanged change, String outcome) throws SQLException {
        // The built-in endpoint admits only the owner's own tokens: the pusher is the owner.
        audit.append(tx, AuditEntry.of(change.owner(), change.owner(), AuditAction.PUSH, change.repository(),
                new JsonObject().put("ref", change.ref()).put("before", change.before()).put("commit", change.after())
                        .put("delivery", deliveryId).put("outcome", outcome).put("via", "git")));
    }
}
