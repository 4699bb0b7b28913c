package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.DashboardData;
import dev.driftless.dashboard.Views;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.queue.Enqueued;
import dev.driftless.reconciler.queue.Job;
import dev.driftless.reconciler.queue.JobKind;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobRequest;
import dev.driftless.reconciler.queue.JobState;
import dev.driftless.reconciler.reconcile.BuildRecords;
import dev.driftless.reconciler.reconcile.FunctionCondition;
import dev.driftless.reconciler.reconcile.FunctionConditions;
import dev.driftless.reconciler.reconcile.Release;
import dev.driftless.reconciler.reconcile.ReleaseHistory;
import dev.driftless.reconciler.reconcile.Transactions;
import dev.driftless.reconciler.reconcile.Urls;
import dev.driftless.reconciler.secrets.SecretStore;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionRuntime;

import io.vertx.core.json.JsonObject;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The dashboard's read models, over the store (conditions, releases, builds), the runtime (instances,
 * recent log lines) and the gateway (traffic). Rollbacks, suspends and resumes are queued as jobs.
 */
public final class StoreDashboardData implements DashboardData {
    private final Transactions store;
    private final FunctionRuntime runtime;
    private final TrafficSource traffic;
    private final Urls urls;
    private final Function<String, Optional<String>> commitUrlPrefix;
    private final ReleaseHistory releases = new ReleaseHistory();
    private final FunctionConditions conditions = new FunctionConditions();
    private final BuildRecords builds = new BuildRecords();
    private final dev.driftless.reconciler.reconcile.PreviewRecords previews = new dev.driftless.reconciler.reconcile.PreviewRecords();
    private final JobQueue queue;
    private final Runnable wakeWorkers;
    private final AuditLog audit;
    private final SecretStore secrets;
    private volatile Optional<dev.driftless.reconciler.notify.NotificationsDashboard> notifications = Optional.empty();

    /**
     * @param commitUrlPrefix for {@code owner/repository}, the web URL commits are linked under
     *                        ({@code https://github.com/o/r/commit/}) when the repository came from GitHub
     */
    public StoreDashboardData(Transactions store, FunctionRuntime runtime, TrafficSource traffic,
                              Urls urls, Function<String, Optional<String>> commitUrlPrefix, JobQueue queue,
                              Runnable wakeWorkers, AuditLog audit, SecretStore secrets) {
        this.store = store;
        this.runtime = runtime;
        this.traffic = traffic;
        this.urls = urls;
        this.commitUrlPrefix = commitUrlPrefix;
        this.queue = queue;
        this.wakeWorkers = wakeWorkers;
        this.audit = audit;
        this.secrets = secrets;
    }

    @Override
    public List<String> repositories(String owner) {
        return query(tx -> {
            try (PreparedStatement query = tx.prepareStatement(
                    "SELECT DISTINCT repository FROM builds WHERE owner = ? ORDER BY repository")) {
                query.setString(1, owner);
                try (ResultSet rows = query.executeQuery()) {
                    List<String> names = new ArrayList<>();
                    while (rows.next()) {
                        names.add(rows.getString(1));
                    }
                    return names;
                }
            }
        });
    }

    @Override
    public Views.AuditPage audit(String owner, Optional<Long> before, Optional<Long> after, int limit) {
        AuditLog.Window window;
        try {
            window = audit.newestFirst(owner, before, after, limit);
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        }
        List<Views.AuditRow> rows = window.entries().stream()
                .map(e -> new Views.AuditRow(e.id(), e.createdAt(), e.actor(), e.action(), e.target(), e.detail().encode()))
                .toList();
        return new Views.AuditPage(rows,
                window.newer() ? Optional.of(rows.get(0).id()) : Optional.empty(),
                window.older() ? Optional.of(rows.get(rows.size() - 1).id()) : Optional.empty());
    }

    @Override
    public List<Views.SecretRow> secrets(String owner) {
        List<SecretStore.SecretInfo> stored;
        try {
            stored = secrets.list(owner);
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        }
        return stored.stream()
                .map(s -> new Views.SecretRow(s.name(), s.sizeBytes(), s.origin(), s.updatedAt()))
                .toList();
    }

    /** Every owner that has built something, for the admin's owner list. */
    public List<String> owners() {
        return query(tx -> {
            try (PreparedStatement query = tx.prepareStatement("SELECT DISTINCT owner FROM builds ORDER BY owner");
                 ResultSet rows = query.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
                return names;
            }
        });
    }

    @Override
    public List<Views.FunctionRow> functions(String owner) {
        List<FunctionCondition> all = query(tx -> conditions.forOwner(tx, owner));
        Map<String, DeployedFunction> running = runtime.listOwner(owner).stream()
                .collect(Collectors.toMap(DeployedFunction::function, d -> d, (a, b) -> a));
        List<Views.FunctionRow> rows = new ArrayList<>();
        for (FunctionCondition condition : all) {
            Optional<Release> current = query(tx -> releases.current(tx, owner, condition.function()));
            rows.add(row(condition, current, Optional.ofNullable(running.get(condition.function()))));
        }
        return rows;
    }

    @Override
    public Optional<Views.FunctionDetail> function(String owner, String function) {
        Optional<FunctionCondition> condition = query(tx -> conditions.get(tx, owner, function));
        if (condition.isEmpty()) {
            return Optional.empty();
        }
        Optional<Release> current = query(tx -> releases.current(tx, owner, function));
        Optional<DeployedFunction> running = runtime.find(owner, function);
        List<Views.ReleaseRow> history = query(tx -> releases.history(tx, owner, function, 50)).stream()
                .map(r -> new Views.ReleaseRow(r.number(), r.commit(), r.image(), r.source().name().toLowerCase(Locale.ROOT),
                        r.rollbackOf(), r.result().name().toLowerCase(Locale.ROOT), r.reason(), r.createdAt(),
                        current.map(c -> c.number() == r.number()).orElse(false)))
                .toList();
        List<Views.EventRow> events = query(tx -> conditions.events(tx, owner, function, 20)).stream()
                .map(e -> new Views.EventRow(e.reason().name(), e.message(), e.at())).toList();
        Optional<Long> latestBuild = query(tx -> builds.latestBuildOf(tx, owner, function));
        Optional<Views.ScaleToZeroView> zero = runtime instanceof ScaleToZeroSource scaling
                ? scaling.scaleToZero(owner, function) : Optional.empty();
        // previews of pull requests and branches beside production
        List<Views.PreviewRow> previewRows = query(tx -> previews.ofOwner(tx, owner)).stream()
                .filter(p -> p.function().equals(function))
                .map(p -> new Views.PreviewRow(p.previewFunction(), p.url(), p.number(), p.branch(), p.commit(),
                        runtime.find(owner, p.previewFunction()).filter(d -> d.ready() > 0).isPresent()
                                ? "serving" : "not ready"))
                .toList();
        return Optional.of(new Views.FunctionDetail(row(condition.get(), current, running), history, events, latestBuild,
                runtime.recentLogs(owner, function, 200), zero, previewRows));
    }

    @Override
    public Optional<Views.BuildView> build(String owner, long buildId) {
        return query(tx -> builds.find(tx, buildId)).filter(b -> b.owner().equals(owner)).map(this::view);
    }

    @Override
    public Views.LogChunk buildLog(String owner, long buildId, String function, int fromLine) {
        Optional<BuildRecords.BuildRecord> build = query(tx -> builds.find(tx, buildId)).filter(b -> b.owner().equals(owner));
        if (build.isEmpty()) {
            throw new IllegalArgumentException("no build " + buildId + " for " + owner);
        }
        // Read "done" before the lines: lines written after the build finished cannot be missed.
        boolean done = !build.get().state().equals("running");
        List<String> lines = query(tx -> builds.logLines(tx, buildId, function, Math.max(0, fromLine), 2_000));
        return new Views.LogChunk(fromLine, lines, done && lines.size() < 2_000);
    }

    @Override
    public Optional<Views.RepositoryView> repository(String owner, String repository) {
        List<BuildRecords.BuildRecord> recent = query(tx -> builds.recent(tx, owner, repository, 20));
        if (recent.isEmpty()) {
            return Optional.empty();
        }
        String badge = urls.badge(owner, repository);
        String markdown = "[![driftless](" + badge + ")](" + urls.repositoryPage(owner, repository) + ")";
        boolean suspended = query(tx -> {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT suspended FROM repositories WHERE owner = ? AND name = ?")) {
                q.setString(1, owner);
                q.setString(2, repository);
                try (ResultSet rows = q.executeQuery()) {
                    return rows.next() && rows.getBoolean(1);
                }
            }
        });
        return Optional.of(new Views.RepositoryView(owner, repository, "/badge/" + owner + "/" + repository + ".svg",
                markdown, suspended, recent.stream().map(this::view).toList()));
    }

    @Override
    public Optional<Views.JobView> queueSuspend(String owner, String repository, boolean suspended) {
        Optional<Enqueued> queued = query(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT 1 FROM repositories WHERE owner = ? AND name = ?")) {
                q.setString(1, owner);
                q.setString(2, repository);
                try (ResultSet rows = q.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.of(queue.enqueue(tx, JobRequest.suspend(owner, repository, suspended)));
        });
        return queued.map(this::stored);
    }

    @Override
    public Optional<Views.JobView> queueRollback(String owner, String function, int release) {
        Optional<Enqueued> queued = query(tx -> {
            Optional<Release> target = releases.find(tx, owner, function, release);
            if (target.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(queue.enqueue(tx, JobRequest.rollback(owner, target.get().repository(), function, release)));
        });
        return queued.map(this::stored);
    }

    @Override
    public Optional<Views.JobView> job(String owner, long id) throws SQLException {
        return queue.find(id).filter(stored -> stored.job().owner().equals(owner)
                        && (stored.job().kind() == JobKind.ROLLBACK || stored.job().kind() == JobKind.SUSPEND))
                .map(this::view);
    }

    /** The job just stored, after the local workers were told: one of them (or another replica's) runs it. */
    private Views.JobView stored(Enqueued enqueued) {
        wakeWorkers.run();
        try {
            return queue.find(enqueued.jobId()).map(this::view).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        }
    }

    private Views.JobView view(JobQueue.Stored stored) {
        Job job = stored.job();
        JsonObject payload = new JsonObject(job.payload().orElse("{}"));
        String what = job.kind() == JobKind.ROLLBACK
                ? "rollback of " + payload.getString("function") + " to release " + payload.getInteger("release")
                : (payload.getBoolean("suspended", true) ? "suspending " : "resuming ") + job.owner() + "/" + job.repository();
        boolean finished = stored.state() == JobState.SUCCEEDED || stored.state() == JobState.FAILED
                || stored.state() == JobState.SUPERSEDED;
        String message = switch (stored.state()) {
            case SUCCEEDED -> job.kind() == JobKind.ROLLBACK ? rolledBack(job.owner(), payload.getString("function"),
                    payload.getInteger("release")).orElse(what + ": done") : what + ": done";
            case FAILED -> what + " failed: " + stored.lastError().orElse("unknown reason");
            case SUPERSEDED -> what + ": replaced by a newer request";
            default -> what + ": " + stored.state().name().toLowerCase(Locale.ROOT);
        };
        return new Views.JobView(job.id(), job.kind().dbName(), stored.state().name().toLowerCase(Locale.ROOT), finished,
                stored.state() == JobState.SUCCEEDED, message);
    }

    /** "rolled back hello to release 1 as release 3", when the serving release is that rollback. */
    private Optional<String> rolledBack(String owner, String function, int release) {
        return query(tx -> releases.current(tx, owner, function))
                .filter(current -> current.rollbackOf().equals(Optional.of(release)))
                .map(current -> "rolled back " + function + " to release " + release + " as release " + current.number());
    }

    private Views.BuildView view(BuildRecords.BuildRecord build) {
        List<Views.FunctionResultRow> functions = query(tx -> builds.functionResults(tx, build.id())).stream()
                .map(f -> new Views.FunctionResultRow(f.function(), f.outcome(), f.image(), f.reason(), f.durationMillis()))
                .toList();
        return new Views.BuildView(build.id(), build.owner(), build.repository(), build.branch(), build.commit(),
                build.trigger(), build.state(), build.reason(), build.startedAt(), build.finishedAt(), functions);
    }

    private Views.FunctionRow row(FunctionCondition condition, Optional<Release> current,
                                  Optional<DeployedFunction> running) {
        String owner = condition.owner();
        String function = condition.function();
        Optional<String> commit = current.map(Release::commit);
        Optional<String> commitUrl = commit.flatMap(sha ->
                commitUrlPrefix.apply(owner + "/" + condition.repository()).map(prefix -> prefix + sha));
        return new Views.FunctionRow(owner, function, condition.repository(), urls.endpoint(owner, function),
                condition.ready().name(), condition.reason().name(), condition.message(),
                current.map(Release::number), commit, commitUrl, current.map(Release::createdAt),
                current.map(Release::image), running.map(DeployedFunction::ready).orElse(0),
                running.map(DeployedFunction::desired).orElse(0),
                traffic.traffic(owner, function, Duration.ofHours(1)),
                traffic.traffic(owner, function, Duration.ofDays(1)));
    }

    private <T> T query(Transactions.Work<T> work) {
        try {
            return store.inTransaction(work);
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        }
    }

    /** The notification settings page, once notifications are wired. */
    public StoreDashboardData withNotifications(dev.driftless.reconciler.notify.NotificationsDashboard page) {
        notifications = Optional.of(page);
        return this;
    }

    @Override
    public dev.driftless.dashboard.Views.NotificationsPage notifications(String owner) throws Exception {
        return notificationsPage().page(owner);
    }

    @Override
    public dev.driftless.dashboard.Views.NotificationTarget saveNotifications(String owner, String actor,
            dev.driftless.dashboard.Views.NotificationForm form) throws Exception {
        return notificationsPage().save(owner, actor, form);
    }

    @Override
    public boolean removeNotifications(String owner, String actor) throws Exception {
        return notificationsPage().remove(owner, actor);
    }

    private dev.driftless.reconciler.notify.NotificationsDashboard notificationsPage() {
        return notifications.orElseThrow(() -> new UnsupportedOperationException("notifications are not wired"));
    }
}
