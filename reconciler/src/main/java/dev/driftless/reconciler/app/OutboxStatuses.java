package dev.driftless.reconciler.app;

import dev.driftless.reconciler.reconcile.BuildRecords;
import dev.driftless.reconciler.reconcile.CommitStatuses;
import dev.driftless.reconciler.reconcile.StatusReport;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.StatusOutbox;
import dev.driftless.status.StatusSender;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Writes the reconcile loop's status reports to the status outbox, in the caller's transaction.
 * Repositories from GitHub get statuses (or check runs) on GitHub; pushes to the built-in git
 * endpoint are recorded locally only, for the dashboard and badges.
 */
final class OutboxStatuses implements CommitStatuses {
    private static final int CHECK_RUN_LOG_LINES = 3_000;

    private final StatusOutbox outbox;
    private final Optional<StatusSender> sender;
    private final boolean githubConfigured;
    private final boolean attachLogs;
    private final TrackedRepositories repositories = new TrackedRepositories();
    private final BuildRecords builds = new BuildRecords();

    /**
     * @param githubConfigured whether GitHub credentials (App or token) are configured at all
     * @param attachLogs       check-run mode: final states carry the build log
     */
    OutboxStatuses(StatusOutbox outbox, Optional<StatusSender> sender, boolean githubConfigured, boolean attachLogs) {
        this.outbox = outbox;
        this.sender = sender;
        this.githubConfigured = githubConfigured;
        this.attachLogs = attachLogs;
    }

    @Override
    public void report(Connection tx, StatusReport report) throws SQLException {
        boolean github = githubConfigured && repositories.find(tx, report.owner(), report.repository())
                .map(TrackedRepositories.Tracked::fromGitHub).orElse(false);
        CommitStatus.Builder status = CommitStatus.builder()
                .repository(report.owner(), report.repository())
                .commit(report.commit(), report.branch(), report.sequence())
                .context(report.context())
                .state(CommitStatus.State.valueOf(report.state().name()))
                .description(report.description())
                .targetUrl(report.targetUrl());
        report.installationId().ifPresent(status::installationId);
        if (!github) {
            status.local();
        } else if (attachLogs && report.state() != StatusReport.State.PENDING) {
            String function = report.context().equals(StatusReport.stackContext())
                    ? "" : report.context().substring("driftless/".length());
            List<String> lines = builds.logLines(tx, report.sequence(), function, 0, CHECK_RUN_LOG_LINES);
            status.summary(report.description()).log(String.join("\n", lines));
        }
        outbox.enqueue(tx, status.build());
        // The row is visible once the caller commits; the sender's next poll picks it up if this wake-up is early.
        sender.ifPresent(StatusSender::wakeUp);
    }
}
