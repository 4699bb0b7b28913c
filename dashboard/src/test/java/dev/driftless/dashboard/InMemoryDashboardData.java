package dev.driftless.dashboard;

import dev.driftless.dashboard.Views.BuildView;
import dev.driftless.dashboard.Views.FunctionDetail;
import dev.driftless.dashboard.Views.FunctionRow;
import dev.driftless.dashboard.Views.ReleaseRow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Read models held in memory, for testing the dashboard's pages and authorisation alone. The
 * reconciler's implementation over the real store is tested end to end in the reconciler module.
 */
final class InMemoryDashboardData implements DashboardData {
    final Map<String, List<ReleaseRow>> releases = new ConcurrentHashMap<>();
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final List<String> rollbacks = new CopyOnWriteArrayList<>();
    volatile String buildState = "running";
    volatile String message = "release 2 serves traffic";
    volatile boolean suspended;
    volatile String buildFunction = "hello";
    volatile Optional<Views.ScaleToZeroView> scaleToZero = Optional.empty();
    volatile List<Views.PreviewRow> previews = List.of();

    InMemoryDashboardData() {
        releases.put("alice/hello", new CopyOnWriteArrayList<>(List.of(
                release(2, "b2", true), release(1, "a1", false))));
    }

    @Override
    public List<String> repositories(String owner) {
        return owner.equals("alice") ? List.of("fns") : List.of();
    }

    @Override
    public List<FunctionRow> functions(String owner) {
        if (!owner.equals("alice")) {
            return List.of();
        }
        return List.of(row());
    }

    @Override
    public Optional<FunctionDetail> function(String owner, String function) {
        if (!owner.equals("alice") || !function.equals("hello")) {
            return Optional.empty();
        }
        return Optional.of(new FunctionDetail(row(), releases.get("alice/hello"),
                List.of(new Views.EventRow("Deployed", "release 2 serves", Instant.parse("2026-11-22T10:00:00Z"))),
                Optional.of(7L), List.of("listening on 8080"), scaleToZero, previews));
    }

    @Override
    public Optional<BuildView> build(String owner, long buildId) {
        if (!owner.equals("alice") || buildId != 7) {
            return Optional.empty();
        }
        return Optional.of(new BuildView(7, "alice", "fns", "main", "b".repeat(40), "git-push", buildState, "",
                Instant.parse("2026-11-22T10:00:00Z"), Optional.empty(),
                List.of(new Views.FunctionResultRow(buildFunction, "deployed", image("b2"), "built", 1200))));
    }

    @Override
    public Views.LogChunk buildLog(String owner, long buildId, String function, int fromLine) {
        List<String> lines = function.equals("hello") ? logLines : List.of("checkout " + "b".repeat(7));
        List<String> after = fromLine >= lines.size() ? List.of() : new ArrayList<>(lines.subList(fromLine, lines.size()));
        return new Views.LogChunk(fromLine, after, !buildState.equals("running"));
    }

    @Override
    public Optional<Views.RepositoryView> repository(String owner, String repository) {
        if (!owner.equals("alice") || !repository.equals("fns")) {
            return Optional.empty();
        }
        return Optional.of(new Views.RepositoryView("alice", "fns", "/badge/alice/fns.svg",
                "[![driftless](https://localhost/badge/alice/fns.svg)](https://localhost/dashboard/alice/repos/fns)", suspended,
                List.of(build("alice", 7).orElseThrow())));
    }

    /** Jobs as a worker left them: each is answered "queued" when asked for, and found done on the next look. */
    final java.util.Map<Long, Views.JobView> jobs = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong jobIds = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public Optional<Views.JobView> queueSuspend(String owner, String repository, boolean suspend) {
        if (!owner.equals("alice") || !repository.equals("fns")) {
            return Optional.empty();
        }
        suspended = suspend;
        return Optional.of(queued("suspend", (suspend ? "suspending " : "resuming ") + owner + "/" + repository + ": done"));
    }

    @Override
    public Optional<Views.JobView> queueRollback(String owner, String function, int release) {
        List<ReleaseRow> history = releases.get(owner + "/" + function);
        if (history == null || history.stream().noneMatch(r -> r.number() == release)) {
            return Optional.empty();
        }
        rollbacks.add(owner + "/" + function + "#" + release);
        int next = history.get(0).number() + 1;
        List<ReleaseRow> updated = new ArrayList<>();
        updated.add(new ReleaseRow(next, "a".repeat(40), image("a1"), "rollback", Optional.of(release), "deployed",
                "", Instant.now(), true));
        history.forEach(r -> updated.add(new ReleaseRow(r.number(), r.commit(), r.image(), r.source(), r.rollbackOf(),
                r.result(), r.reason(), r.createdAt(), false)));
        releases.put(owner + "/" + function, new CopyOnWriteArrayList<>(updated));
        return Optional.of(queued("rollback", "rolled back " + function + " to release " + release + " as release " + next));
    }

    @Override
    public Optional<Views.JobView> job(String owner, long id) {
        return owner.equals("alice") ? Optional.ofNullable(jobs.get(id)) : Optional.empty();
    }

    /** The audit trail of alice, oldest first; ids 1..n. */
    final List<Views.AuditRow> audit = new CopyOnWriteArrayList<>();
    final List<Views.SecretRow> secrets = new CopyOnWriteArrayList<>(List.of(
            new Views.SecretRow("api-key", 32, "cli", Instant.parse("2026-11-22T08:00:00Z"))));

    @Override
    public Views.AuditPage audit(String owner, Optional<Long> before, Optional<Long> after, int limit) {
        List<Views.AuditRow> mine = owner.equals("alice") ? audit : List.of();
        List<Views.AuditRow> shown = new ArrayList<>();
        if (after.isPresent()) {
            mine.stream().filter(r -> r.id() > after.get()).limit(limit).forEach(r -> shown.add(0, r));
        } else {
            long below = before.orElse(Long.MAX_VALUE);
            List<Views.AuditRow> older = mine.stream().filter(r -> r.id() < below).toList();
            for (int i = older.size() - 1; i >= 0 && shown.size() < limit; i--) {
                shown.add(older.get(i));
            }
        }
        if (shown.isEmpty()) {
            return new Views.AuditPage(List.of(), Optional.empty(), Optional.empty());
        }
        long newest = shown.get(0).id();
        long oldest = shown.get(shown.size() - 1).id();
        return new Views.AuditPage(List.copyOf(shown),
                mine.stream().anyMatch(r -> r.id() > newest) ? Optional.of(newest) : Optional.empty(),
                mine.stream().anyMatch(r -> r.id() < oldest) ? Optional.of(oldest) : Optional.empty());
    }

    @Override
    public List<Views.SecretRow> secrets(String owner) {
        return owner.equals("alice") ? List.copyOf(secrets) : List.of();
    }

    private Views.JobView queued(String kind, String message) {
        long id = jobIds.incrementAndGet();
        jobs.put(id, new Views.JobView(id, kind, "succeeded", true, true, message));
        return new Views.JobView(id, kind, "queued", false, false, kind + ": queued");
    }

    private FunctionRow row() {
        return new FunctionRow("alice", "hello", "fns", "https://alice.localhost:8443/hello", "True", "Deployed",
                message, Optional.of(2), Optional.of("b".repeat(40)), Optional.empty(),
                Optional.of(Instant.parse("2026-11-22T10:00:00Z")), Optional.of(image("b2")), 1, 1,
                new Views.Traffic(120, 3, 4.5, 9, 30), new Views.Traffic(1200, 4, 4.2, 8, 28));
    }

    private static ReleaseRow release(int number, String content, boolean current) {
        return new ReleaseRow(number, content.charAt(0) + "".repeat(0) + String.valueOf(content.charAt(0)).repeat(39),
                image(content), "push", Optional.empty(), "deployed", "", Instant.parse("2026-11-22T09:00:00Z"), current);
    }

    static String image(String content) {
        return "127.0.0.1:5000/alice/fns/hello@sha256:" + String.valueOf(content.charAt(0)).repeat(64);
    }
}
