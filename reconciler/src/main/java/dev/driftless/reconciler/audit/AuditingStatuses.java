package dev.driftless.reconciler.audit;

import dev.driftless.reconciler.reconcile.CommitStatuses;
import dev.driftless.reconciler.reconcile.StatusReport;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Records deploys in the audit trail from the reconcile loop's status reports: a function's
 * {@code success} that says {@code deployed …} is a release rolled out for a commit. Written in the
 * report's transaction, with the state change that caused it.
 */
public final class AuditingStatuses implements CommitStatuses {
    private final CommitStatuses inner;
    private final AuditLog audit;

    public AuditingStatuses(CommitStatuses inner, AuditLog audit) {
        this.inner = inner;
        this.audit = audit;
    }

    @Override
    public void report(Connection tx, StatusReport report) throws SQLException {
        inner.report(tx, report);
        String prefix = "driftless/";
        if (report.state() == StatusReport.State.SUCCESS && report.description().startsWith("deployed ")
                && !report.context().equals(StatusReport.stackContext()) && report.context().startsWith(prefix)) {
            String function = report.context().substring(prefix.length());
            audit.append(tx, AuditEntry.of(report.owner(), "daemon", AuditAction.DEPLOY, function,
                    new JsonObject().put("repository", report.repository()).put("commit", report.commit())
                            .put("build", report.sequence()).put("description", report.description())));
        }
    }
}
