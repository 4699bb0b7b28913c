package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.BuildException;
import dev.driftless.builder.BuildListener;
import dev.driftless.builder.BuildRequest;
import dev.driftless.builder.BuildResult;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.builder.StackInvalidException;
import dev.driftless.builder.StackProblem;
import dev.driftless.reconciler.reconcile.BuildRecords.BuildRecord;
import dev.driftless.reconciler.reconcile.FunctionCondition.Ready;
import dev.driftless.reconciler.reconcile.StatusReport.State;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The reconcile loop for one repository: desired state is the stack at the tracked branch's head,
 * built by the builder; actual state is what the runtime runs; a pass closes the difference.
 *
 * <p>A pass reads as an outline: resolve the head, then either converge (the head was built before:
 * put the current releases back if someone changed them by hand) or build, release each function,
 * prune what the stack no longer names, and report. State changes and the statuses they cause are
 * written in one transaction. Blocking throughout: call it on a worker thread.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final Transactions store;
    private final CommitBuilder builder;
    private final FunctionRuntime runtime;
    private final CommitStatuses statuses;
    private final RepositoryHeads heads;
    private final Urls urls;
    private final Clock clock;
    private final ReconcileEvents events;
    private final ReleaseHistory releases = new ReleaseHistory();
    private final FunctionConditions conditions = new FunctionConditions();
    private final BuildRecords builds = new BuildRecords();
    // Function names are unique per owner (they are routes), so passes of one owner never interleave.
    // Several daemon replicas rely on the job queue's per-repository claim instead.
    private final ConcurrentMap<String, ReentrantLock> ownerLocks = new ConcurrentHashMap<>();

    public Reconciler(Transactions store, CommitBuilder builder, FunctionRuntime runtime, CommitStatuses statuses,
                      RepositoryHeads heads, Urls urls, Clock clock) {
        this(store, builder, runtime, statuses, heads, urls, clock, ReconcileEvents.NONE);
    }

    /** With {@code events} recorded in the transactions of the changes they describe (notifications). */
    public Reconciler(Transactions store, CommitBuilder builder, FunctionRuntime runtime, CommitStatuses statuses,
                      RepositoryHeads heads, Urls urls, Clock clock, ReconcileEvents events) {
        this.events = events;
        this.store = store;
        this.builder = builder;
        this.runtime = runtime;
        this.statuses = statuses;
        this.heads = heads;
        this.urls = urls;
        this.clock = clock;
    }

    public ReconcileOutcome reconcile(ReconcileRequest request) throws InterruptedException {
        ReentrantLock lock = lockFor(request.owner());
        lock.lockInterruptibly();
        try {
            markInterruptedBuilds(request);
            Optional<String> head;
            try {
                head = heads.head(request.source(), request.branch());
            } catch (Exception e) {
                return ReconcileOutcome.retry(request.headHint().orElse(""),
                        "could not resolve " + request.branch() + ": " + e.getMessage());
            }
            if (head.isEmpty()) {
                return ReconcileOutcome.skipped("branch '" + request.branch() + "' does not exist; nothing changed");
            }
            String commit = head.get();
            Optional<BuildRecord> last = store.inTransaction(tx ->
                    builds.recent(tx, request.owner(), request.repository(), 1).stream().findFirst());
            boolean builtBefore = last.isPresent() && last.get().commit().equals(commit)
                    && !last.get().state().equals("error") && !request.trigger().equals("manual");
            return builtBefore ? converge(request, commit) : buildAndRelease(request, commit);
        } catch (SQLException e) {
            return ReconcileOutcome.retry(request.headHint().orElse(""), "store: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The head was built already: make the runtime run each function's current release again. The
     * runtime writes nothing when it already does; a hand-made change is put back and recorded as an event.
     */
    ReconcileOutcome converge(ReconcileRequest request, String commit) throws SQLException, InterruptedException {
        List<FunctionCondition> managed = store.inTransaction(tx ->
                conditions.forRepository(tx, request.owner(), request.repository()));
        int reverted = 0;
        for (FunctionCondition condition : managed) {
            Optional<Release> current = store.inTransaction(tx ->
                    releases.current(tx, condition.owner(), condition.function()));
            if (current.isEmpty()) {
                continue;
            }
            RolloutResult result = runtime.deploy(SpecJson.deployment(current.get()));
            if (result.outcome() == RolloutResult.Outcome.ROLLED_OUT) {
                reverted++;
                Release release = current.get();
                store.inTransaction(tx -> {
                    conditions.event(tx, release.owner(), release.function(), Reason.DriftReverted,
                            "put back release " + release.number() + ": " + result.message(), clock.instant());
                    conditions.put(tx, ready(release, Reason.of(result), message(release, result)));
                    return null;
                });
                LOG.info("event=drift_reverted owner={} function={} release={} detail=\"{}\"", release.owner(),
                        release.function(), release.number(), result.message());
            } else if (result.failed()) {
                Release release = current.get();
                store.inTransaction(tx -> {
                    conditions.put(tx, notReady(release.owner(), release.function(), release.repository(),
                            Reason.RolloutFailed, "could not put back release " + release.number() + ": "
                                    + result.message(), Optional.of(release.number())));
                    events.record(tx, event(ReconcileEvent.Type.ROLLOUT_FAILED, release.owner(), release.repository(),
                            release.function(), release.commit(), null, "could not put back release "
                                    + release.number() + ": " + result.message(), null));
                    return null;
                });
            }
        }
        pruneUntracked(request, managed.stream().map(FunctionCondition::function).collect(Collectors.toSet()));
        return ReconcileOutcome.succeeded(commit, reverted == 0 ? "up to date" : reverted + " function(s) put back");
    }

    private ReconcileOutcome buildAndRelease(ReconcileRequest request, String commit)
            throws SQLException, InterruptedException {
        Instant started = clock.instant();
        long buildId = store.inTransaction(tx -> {
            long id = builds.start(tx, request.owner(), request.repository(), request.branch(), commit,
                    request.trigger(), started);
            statuses.report(tx, status(request, commit, StatusReport.stackContext(), State.PENDING,
                    "building " + commit.substring(0, 7) + "…", urls.buildLog(request.owner(), id, null), id));
            events.record(tx, event(ReconcileEvent.Type.BUILD_STARTED, request.owner(), request.repository(), null,
                    commit, id, "building " + commit.substring(0, 7) + " (" + request.trigger() + ")",
                    urls.buildLog(request.owner(), id, null)));
            return id;
        });
        LOG.info("event=build_started owner={} repository={} commit={} build={} trigger={}", request.owner(),
                request.repository(), commit, buildId, request.trigger());
        BuildLogWriter log = new BuildLogWriter(store, buildId, request.source().token().stream().toList());
        Set<String> announced = ConcurrentHashMap.newKeySet();
        BuildListener listener = (function, line) -> {
            log.line(function, line);
            if (function != null && announced.add(function)) {
                announcePending(request, commit, buildId, function);
            }
        };

        BuildResult result;
        try {
            result = builder.build(new BuildRequest(request.owner(), request.repository(), request.source(), commit,
                    request.environment(), listener));
        } catch (StackInvalidException e) {
            for (StackProblem problem : e.problems()) {
                log.line(null, problem.toString());
            }
            log.flush();
            String first = e.getMessage();
            finishBuild(request, commit, buildId, "failed", first, State.FAILURE, first, urls.buildLog(request.owner(), buildId, null));
            return ReconcileOutcome.failed(commit, first);
        } catch (BuildException e) {
            log.line(null, "build failed: " + e.getMessage());
            log.flush();
            finishBuild(request, commit, buildId, "failed", e.getMessage(), State.FAILURE, e.getMessage(),
                    urls.buildLog(request.owner(), buildId, null));
            return ReconcileOutcome.failed(commit, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("event=build_error owner={} repository={} commit={}", request.owner(), request.repository(), commit, e);
            log.line(null, "internal error: " + e);
            log.flush();
            finishBuild(request, commit, buildId, "error", "internal error: " + e.getMessage(), State.ERROR,
                    "Driftless failed to build: " + e.getMessage(), urls.buildLog(request.owner(), buildId, null));
            return ReconcileOutcome.retry(commit, e.toString());
        }
        log.flush();

        List<String> failed = new ArrayList<>();
        boolean ourFault = false;
        for (FunctionBuild function : result.functions()) {
            if (!announced.contains(function.name())) {
                announced.add(function.name());
                announcePending(request, commit, buildId, function.name());
            }
            try {
                if (!release(request, commit, buildId, function, log)) {
                    failed.add(function.name());
                    // The registry or the disk failed, not the commit: the job is retried (with backoff).
                    ourFault |= function.retryable();
                }
            } catch (RuntimeException e) {
                ourFault = true;
                failed.add(function.name());
                LOG.error("event=release_error owner={} function={}", request.owner(), function.name(), e);
                store.inTransaction(tx -> {
                    statuses.report(tx, status(request, commit, StatusReport.functionContext(function.name()),
                            State.ERROR, "Driftless failed to deploy: " + e.getMessage(),
                            urls.buildLog(request.owner(), buildId, function.name()), buildId));
                    return null;
                });
            }
        }
        log.flush();
        pruneUntracked(request, result.functions().stream().map(FunctionBuild::name).collect(Collectors.toSet()));

        Duration took = Duration.between(started, clock.instant());
        if (failed.isEmpty()) {
            String description = result.functions().size() + " function(s) deployed in " + seconds(took);
            finishBuild(request, commit, buildId, "succeeded", description, State.SUCCESS, description,
                    urls.repositoryPage(request.owner(), request.repository()));
            return ReconcileOutcome.succeeded(commit, description);
        }
        String description = failed.size() + " of " + result.functions().size() + " function(s) failed: "
                + String.join(", ", failed);
        finishBuild(request, commit, buildId, ourFault ? "error" : "failed", description,
                ourFault ? State.ERROR : State.FAILURE, description, urls.buildLog(request.owner(), buildId, null));
        return ourFault ? ReconcileOutcome.retry(commit, description) : ReconcileOutcome.failed(commit, description);
    }

    /** Releases one built function; returns false when it failed (the previous release keeps serving). */
    private boolean release(ReconcileRequest request, String commit, long buildId, FunctionBuild function,
                            BuildLogWriter log) throws SQLException, InterruptedException {
        String owner = request.owner();
        String name = function.name();
        String context = StatusReport.functionContext(name);
        String logUrl = urls.buildLog(owner, buildId, name);

        Optional<FunctionCondition> existing = store.inTransaction(tx -> conditions.get(tx, owner, name));
        if (existing.isPresent() && !existing.get().repository().equals(request.repository())) {
            String message = "function name '" + name + "' is already used by repository '"
                    + existing.get().repository() + "' of " + owner;
            store.inTransaction(tx -> {
                builds.functionResult(tx, new BuildRecords.FunctionResult(buildId, name, "failed", null, message, 0));
                statuses.report(tx, status(request, commit, context, State.FAILURE, message, logUrl, buildId));
                return null;
            });
            return false;
        }
        Optional<Release> current = store.inTransaction(tx -> releases.current(tx, owner, name));
        String serving = current.map(r -> "; release " + r.number() + " keeps serving").orElse("");

        switch (function.outcome()) {
            case FAILED -> {
                Reason reason = function.reason().startsWith("unit tests failed") ? Reason.TestsFailed : Reason.BuildFailed;
                LOG.info("event=function_failed owner={} function={} commit={} retried={} reason=\"{}\"", owner, name,
                        commit, function.retryable(), function.reason());
                store.inTransaction(tx -> {
                    builds.functionResult(tx, new BuildRecords.FunctionResult(buildId, name, "failed", null,
                            function.reason(), 0));
                    conditions.put(tx, new FunctionCondition(owner, name, request.repository(), Ready.False, reason,
                            function.reason() + serving, false, true, Optional.of(function.cacheKey()),
                            current.map(Release::number), clock.instant()));
                    statuses.report(tx, status(request, commit, context, State.FAILURE, function.reason(), logUrl, buildId));
                    return null;
                });
                return false;
            }
            case SKIPPED -> {
                store.inTransaction(tx -> {
                    builds.functionResult(tx, new BuildRecords.FunctionResult(buildId, name, "skipped", null,
                            "skip_build is set", 0));
                    statuses.report(tx, status(request, commit, context, State.SUCCESS,
                            "not built: skip_build is set", logUrl, buildId));
                    return null;
                });
                return true;
            }
            default -> {
                // BUILT or REUSED: release it unless the serving release already is exactly this.
            }
        }

        String image = function.image().orElseThrow().toString();
        String spec = SpecJson.write(function.spec());
        boolean sameAsServing = current.isPresent() && current.get().image().equals(image)
                && current.get().specJson().equals(spec) && current.get().repository().equals(request.repository());
        Release release = sameAsServing ? current.get() : store.inTransaction(tx -> {
            Release added = releases.add(tx, owner, name, request.repository(), commit, image, spec,
                    Release.Source.PUSH, Optional.empty(), Optional.of(buildId), clock.instant());
            conditions.put(tx, new FunctionCondition(owner, name, request.repository(), Ready.Unknown,
                    Reason.Progressing, "rolling out release " + added.number() + " (" + added.shortCommit() + ")",
                    true, false, Optional.empty(), current.map(Release::number), clock.instant()));
            return added;
        });
        log.line(name, sameAsServing
                ? "==> release " + release.number() + " already serves " + shortImage(image) + "; checking the runtime"
                : "==> rolling out release " + release.number() + " (" + shortImage(image) + ")");
        log.flush();

        RolloutResult rollout = runtime.deploy(SpecJson.deployment(release));
        if (rollout.failed()) {
            for (String line : rollout.lastLogLines()) {
                log.line(name, "| " + line);
            }
            log.line(name, "rollout failed: " + rollout.reason() + ": " + rollout.message());
            log.flush();
            // A status shows 140 characters: the function's own last line (the end of its traceback) says most.
            String description = rollout.lastLogLines().stream().map(String::strip).filter(l -> !l.isEmpty())
                    .reduce((first, second) -> second)
                    .map(last -> "rollout failed: " + rollout.reason() + ": " + last)
                    .orElse("rollout failed: " + rollout.reason() + " " + rollout.message());
            store.inTransaction(tx -> {
                if (!sameAsServing) {
                    releases.markResult(tx, release, Release.Result.FAILED, rollout.reason() + ": " + rollout.message());
                }
                builds.functionResult(tx, new BuildRecords.FunctionResult(buildId, name, "rollout-failed", image,
                        rollout.reason() + ": " + rollout.message(), rollout.duration().toMillis()));
                conditions.put(tx, notReady(owner, name, request.repository(), Reason.RolloutFailed,
                        "release " + release.number() + " did not become ready (" + rollout.reason() + ")" + serving,
                        current.map(Release::number)));
                conditions.event(tx, owner, name, Reason.RolloutFailed, rollout.reason() + ": " + rollout.message(),
                        clock.instant());
                statuses.report(tx, status(request, commit, context, State.FAILURE, description, logUrl, buildId));
                events.record(tx, event(ReconcileEvent.Type.ROLLOUT_FAILED, owner, request.repository(), name, commit,
                        buildId, "release " + release.number() + " of " + name + " did not become ready: " + description
                                + serving, logUrl));
                return null;
            });
            return false;
        }
        String description = "deployed " + shortImage(image) + " in " + seconds(rollout.duration());
        log.line(name, "==> " + description + " (" + rollout.reason() + ")");
        log.flush();
        store.inTransaction(tx -> {
            if (!sameAsServing) {
                releases.markResult(tx, release, Release.Result.DEPLOYED, rollout.reason());
            }
            builds.functionResult(tx, new BuildRecords.FunctionResult(buildId, name, "deployed", image,
                    function.outcome() == FunctionBuild.Outcome.REUSED ? "image reused (inputs unchanged)" : "built",
                    rollout.duration().toMillis()));
            conditions.put(tx, ready(release, Reason.of(rollout), message(release, rollout)));
            if ("DriftReverted".equals(rollout.reason())) {
                conditions.event(tx, owner, name, Reason.DriftReverted, rollout.message(), clock.instant());
            }
            statuses.report(tx, status(request, commit, context, State.SUCCESS, description,
                    urls.endpoint(owner, name), buildId));
            return null;
        });
        return true;
    }

    /** Removes functions of this repository that the stack no longer names: selected by our owner and repository labels. */
    private void pruneUntracked(ReconcileRequest request, Set<String> keep) throws SQLException, InterruptedException {
        for (DeployedFunction deployed : runtime.list(request.owner(), request.repository())) {
            if (!keep.contains(deployed.function())) {
                runtime.remove(request.owner(), request.repository(), deployed.function());
                LOG.info("event=pruned owner={} repository={} function={}", request.owner(), request.repository(),
                        deployed.function());
            }
        }
        store.inTransaction(tx -> {
            for (FunctionCondition condition : conditions.forRepository(tx, request.owner(), request.repository())) {
                if (!keep.contains(condition.function())) {
                    conditions.remove(tx, condition.owner(), condition.function());
                    conditions.event(tx, condition.owner(), condition.function(), Reason.Pruned,
                            "removed: no longer in stack.yml of " + request.repository(), clock.instant());
                    events.record(tx, event(ReconcileEvent.Type.PRUNE, condition.owner(), request.repository(),
                            condition.function(), null, null, "removed " + condition.function()
                                    + ": no longer in stack.yml of " + request.repository(), null));
                }
            }
            return null;
        });
    }

    /** Removes every function of a repository (it left the installation, or was deleted). */
    public int removeRepository(String owner, String repository) throws SQLException, InterruptedException {
        ReentrantLock lock = lockFor(owner);
        lock.lockInterruptibly();
        try {
            int removed = 0;
            for (DeployedFunction deployed : runtime.list(owner, repository)) {
                runtime.remove(owner, repository, deployed.function());
                removed++;
            }
            store.inTransaction(tx -> {
                for (FunctionCondition condition : conditions.forRepository(tx, owner, repository)) {
                    conditions.remove(tx, owner, condition.function());
                    conditions.event(tx, owner, condition.function(), Reason.Pruned,
                            "removed: repository " + repository + " is no longer served", clock.instant());
                    events.record(tx, event(ReconcileEvent.Type.PRUNE, owner, repository, condition.function(), null,
                            null, "removed " + condition.function() + ": repository " + repository
                                    + " is no longer served", null));
                }
                return null;
            });
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Redeploys release {@code number}'s image and spec as a new release, without building. The new
     * release stays current until the next push builds a newer commit.
     */
    public RollbackResult rollback(String owner, String function, int number) throws SQLException, InterruptedException {
        ReentrantLock lock = lockFor(owner);
        lock.lockInterruptibly();
        try {
            Optional<Release> target = store.inTransaction(tx -> releases.find(tx, owner, function, number));
            if (target.isEmpty()) {
                throw new IllegalArgumentException("function " + owner + "/" + function + " has no release " + number);
            }
            Optional<Release> current = store.inTransaction(tx -> releases.current(tx, owner, function));
            Release release = store.inTransaction(tx -> releases.add(tx, owner, function, target.get().repository(),
                    target.get().commit(), target.get().image(), target.get().specJson(), Release.Source.ROLLBACK,
                    Optional.of(number), Optional.empty(), clock.instant()));
            RolloutResult rollout = runtime.deploy(SpecJson.deployment(release));
            store.inTransaction(tx -> {
                if (rollout.failed()) {
                    releases.markResult(tx, release, Release.Result.FAILED, rollout.reason() + ": " + rollout.message());
                    conditions.event(tx, owner, function, Reason.RolloutFailed, "rollback to release " + number
                            + " failed: " + rollout.reason() + ": " + rollout.message(), clock.instant());
                    events.record(tx, event(ReconcileEvent.Type.ROLLOUT_FAILED, owner, release.repository(), function,
                            release.commit(), null, "rollback of " + function + " to release " + number + " failed: "
                                    + rollout.reason() + ": " + rollout.message(), null));
                } else {
                    releases.markResult(tx, release, Release.Result.DEPLOYED, "rollback to release " + number);
                    conditions.put(tx, new FunctionCondition(owner, function, release.repository(), Ready.True,
                            Reason.RolledBack, "release " + release.number() + " rolls back to release " + number
                            + " (" + release.shortCommit() + ", " + shortImage(release.image()) + ")", false, false,
                            Optional.empty(), Optional.of(release.number()), clock.instant()));
                    conditions.event(tx, owner, function, Reason.RolledBack, "rolled back to release " + number
                            + " as release " + release.number() + current.map(c -> " (was " + c.number() + ")").orElse(""),
                            clock.instant());
                    events.record(tx, event(ReconcileEvent.Type.ROLLBACK, owner, release.repository(), function,
                            release.commit(), null, function + " rolled back to release " + number + " as release "
                                    + release.number() + current.map(c -> " (was " + c.number() + ")").orElse(""),
                            urls.endpoint(owner, function)));
                }
                return null;
            });
            return new RollbackResult(release, rollout);
        } finally {
            lock.unlock();
        }
    }

    /** What a rollback did. */
    public record RollbackResult(Release release, RolloutResult rollout) { }

    /**
     * Starts every function's serving release again: after a daemon restart the local runtime runs
     * nothing, and a Kubernetes runtime already runs them (no writes).
     */
    public int restore() throws SQLException, InterruptedException {
        int started = 0;
        for (FunctionDeployment deployment : serving()) {
            RolloutResult result = runtime.deploy(deployment);
            if (result.outcome() == RolloutResult.Outcome.ROLLED_OUT) {
                started++;
            } else if (result.failed()) {
                LOG.warn("event=restore_failed owner={} function={} release={} reason={} message=\"{}\"",
                        deployment.owner(), deployment.function(), deployment.release(), result.reason(),
                        result.message());
            }
        }
        return started;
    }

    /** The serving release of every managed function, as the store records it (any replica may have made it). */
    public List<FunctionDeployment> serving() throws SQLException {
        return store.inTransaction(releases::allCurrent).stream().map(SpecJson::deployment).toList();
    }

    private void announcePending(ReconcileRequest request, String commit, long buildId, String function) {
        try {
            store.inTransaction(tx -> {
                statuses.report(tx, status(request, commit, StatusReport.functionContext(function), State.PENDING,
                        "building " + function + "…", urls.buildLog(request.owner(), buildId, function), buildId));
                return null;
            });
        } catch (SQLException e) {
            LOG.warn("event=status_write_failed owner={} function={} error={}", request.owner(), function, e.getMessage());
        }
    }

    private void finishBuild(ReconcileRequest request, String commit, long buildId, String state, String reason,
                             State stackState, String description, String targetUrl) throws SQLException {
        store.inTransaction(tx -> {
            builds.finish(tx, buildId, state, reason, clock.instant());
            statuses.report(tx, status(request, commit, StatusReport.stackContext(), stackState, description,
                    targetUrl, buildId));
            events.record(tx, event(state.equals("succeeded") ? ReconcileEvent.Type.BUILD_SUCCEEDED
                    : ReconcileEvent.Type.BUILD_FAILED, request.owner(), request.repository(), null, commit, buildId,
                    description, targetUrl));
            return null;
        });
        LOG.info("event=build_finished owner={} repository={} commit={} build={} state={} reason=\"{}\"",
                request.owner(), request.repository(), commit, buildId, state, reason);
    }

    /** A build left "running" by a crash is marked as interrupted; its releases that never finished failed. */
    private void markInterruptedBuilds(ReconcileRequest request) throws SQLException {
        store.inTransaction(tx -> {
            for (BuildRecord stale : builds.running(tx, request.owner(), request.repository())) {
                builds.finish(tx, stale.id(), "error", "interrupted: the daemon stopped during this build",
                        clock.instant());
            }
            return null;
        });
    }

    private StatusReport status(ReconcileRequest request, String commit, String context, State state,
                                String description, String targetUrl, long sequence) {
        return new StatusReport(request.owner(), request.repository(), commit, request.branch(), context, state, description,
                targetUrl, request.installationId(), sequence);
    }

    private ReconcileEvent event(ReconcileEvent.Type type, String owner, String repository, String function,
                                 String commit, Long build, String message, String url) {
        return new ReconcileEvent(type, owner, repository, Optional.ofNullable(function), Optional.ofNullable(commit),
                Optional.ofNullable(build), message, Optional.ofNullable(url), clock.instant());
    }

    private FunctionCondition ready(Release release, Reason reason, String message) {
        return new FunctionCondition(release.owner(), release.function(), release.repository(), Ready.True, reason,
                message, false, false, Optional.empty(), Optional.of(release.number()), clock.instant());
    }

    private FunctionCondition notReady(String owner, String function, String repository, Reason reason,
                                       String message, Optional<Integer> serving) {
        return new FunctionCondition(owner, function, repository, Ready.False, reason, message, false, false,
                Optional.empty(), serving, clock.instant());
    }

    private static String message(Release release, RolloutResult rollout) {
        return "release " + release.number() + " (" + release.shortCommit() + ", " + shortImage(release.image())
                + ") serves traffic";
    }

    static String shortImage(String image) {
        int at = image.indexOf("@sha256:");
        return at < 0 ? image : "sha256:" + image.substring(at + 8, Math.min(image.length(), at + 8 + 12)) + "…";
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** Previews take the same per-owner lock: their names are routes of the owner too. */
    ReentrantLock lockFor(String owner) {
        return ownerLocks.computeIfAbsent(owner, o -> new ReentrantLock());
    }
}
