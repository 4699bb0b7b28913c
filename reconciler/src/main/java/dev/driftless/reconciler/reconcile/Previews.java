package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.BuildException;
import dev.driftless.builder.BuildRequest;
import dev.driftless.builder.BuildResult;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.reconciler.reconcile.PreviewRecords.Preview;
import dev.driftless.reconciler.reconcile.StatusReport.State;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Previews of pull requests and of branches: the head's functions built and deployed as separate functions named
 * {@code <function>--pr-<n>} (or {@code <function>--<branch-slug>}, see {@link PreviewSource}) of the same owner,
 * served at {@code https://<owner>.<domain>/<function>--pr-<n>}, under the runtime repository label
 * {@code <repository>--pr-<n>} so that production's pruning never sees them. Production releases, conditions and
 * builds are never touched; previews are recorded in their own table. Removing a preview also removes its image
 * from the local image store unless production or another preview still uses it. Blocking: call on a worker thread.
 */
public final class Previews {
    private static final Logger LOG = LoggerFactory.getLogger(Previews.class);
    static final int MAX_NAME = PreviewSource.MAX_NAME;

    /** Removes images no longer deployed from the image store (the builder's local store; a registry keeps them). */
    @FunctionalInterface
    public interface ImageRemover {
        int remove(java.util.Collection<String> images, Set<String> inUse) throws java.io.IOException;

        ImageRemover NONE = (images, inUse) -> 0;
    }

    /** Told, inside the transaction that recorded it, what a pull request's previews now are (the PR comment). */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param serving what now runs for the PR (empty once closed)
         * @param failed  functions whose preview failed this time, with why
         */
        void changed(java.sql.Connection tx, String owner, String repository, int number,
                     java.util.Optional<Long> installationId, String commit, List<Preview> serving, List<String> failed,
                     boolean closed) throws SQLException;

        Listener NONE = (tx, owner, repository, number, installation, commit, serving, failed, closed) -> { };
    }

    private final Transactions store;
    private final CommitBuilder builder;
    private final FunctionRuntime runtime;
    private final CommitStatuses statuses;
    private final Urls urls;
    private final Reconciler reconciler;
    private final int perOwner;
    private final Clock clock;
    private final PreviewRecords records = new PreviewRecords();
    private final BuildRecords builds = new BuildRecords();
    private volatile ImageRemover images = ImageRemover.NONE;
    private volatile Listener listener = Listener.NONE;

    /** @param reconciler whose per-owner lock previews share */
    public Previews(Transactions store, CommitBuilder builder, FunctionRuntime runtime, CommitStatuses statuses, Urls urls,
                    Reconciler reconciler, int perOwner, Clock clock) {
        this.store = store;
        this.builder = builder;
        this.runtime = runtime;
        this.statuses = statuses;
        this.urls = urls;
        this.reconciler = reconciler;
        this.perOwner = perOwner;
        this.clock = clock;
    }

    /** Removes images of removed previews with this (set once at wiring). */
    public Previews withImageRemover(ImageRemover remover) {
        this.images = remover;
        return this;
    }

    /** Tells this of every change of a pull request's previews (set once at wiring). */
    public Previews withListener(Listener changes) {
        this.listener = changes;
        return this;
    }

    /** {@code <function>--pr-<n>}, or a clear error when that is longer than a DNS label may be. */
    public static String previewName(String function, int number) {
        return PreviewSource.pullRequest(number).previewName(function);
    }

    /** The runtime's repository label of a PR's previews (production prunes by its own repository label). */
    public static String previewRepository(String repository, int number) {
        return previewRepository(repository, PreviewSource.pullRequest(number));
    }

    /** The runtime's repository label of a PR's or branch's previews. */
    public static String previewRepository(String repository, PreviewSource source) {
        return repository + "--" + source.suffix();
    }

    /** A preview's commit status context: {@code driftless/<function>--pr-<n>} (status contexts are {@code driftless/<name>}). */
    public static String context(String function, int number) {
        return context(function, PreviewSource.pullRequest(number));
    }

    static String context(String function, PreviewSource source) {
        return "driftless/" + function + "--" + source.suffix();
    }

    /** The whole preview build's context, beside production's {@code driftless/stack}. */
    public static String stackContext(int number) {
        return stackContext(PreviewSource.pullRequest(number));
    }

    static String stackContext(PreviewSource source) {
        return "driftless/stack--" + source.suffix();
    }

    /** A PR refused by the per-owner limit; its own context, since no build orders it. */
    public static final String LIMIT_CONTEXT = "driftless/previews";

    /**
     * Builds the PR head {@code request.headHint()} and deploys each function as its preview.
     *
     * @param withSecrets false for forks: their previews run without the owner's secrets
     */
    public ReconcileOutcome deploy(ReconcileRequest request, int number, boolean withSecrets)
            throws SQLException, InterruptedException {
        return deploy(request, PreviewSource.pullRequest(number), withSecrets);
    }

    /**
     * Builds the head {@code request.headHint()} of a pull request or branch and deploys each function as its
     * preview; a newer head of the same source replaces the older one's previews.
     */
    public ReconcileOutcome deploy(ReconcileRequest request, PreviewSource source, boolean withSecrets)
            throws SQLException, InterruptedException {
        String commit = request.headHint().orElseThrow(() -> new IllegalArgumentException("a preview needs the head commit"));
        String owner = request.owner();
        String previewRepo = previewRepository(request.repository(), source);
        ReentrantLock lock = reconciler.lockFor(owner);
        lock.lockInterruptibly();
        try {
            int others = store.inTransaction(tx -> records.otherSources(tx, owner, request.repository(), source));
            if (others >= perOwner) {
                String message = "no preview: " + owner + " already has previews for " + others + " pull request(s) or"
                        + " branch(es), the limit (DRIFTLESS_PREVIEWS_PER_OWNER) is " + perOwner
                        + "; close or delete one to get a preview";
                store.inTransaction(tx -> {
                    // its own context: build ids order the other preview statuses, this one has no build
                    statuses.report(tx, status(request, commit, LIMIT_CONTEXT, State.FAILURE, message,
                            urls.dashboard(owner), clock.millis()));
                    return null;
                });
                LOG.info("event=preview_refused owner={} repository={} source=\"{}\" reason=limit", owner,
                        request.repository(), source.describe());
                return ReconcileOutcome.failed(commit, message);
            }
            long buildId = store.inTransaction(tx -> {
                long id = builds.start(tx, owner, previewRepo, request.branch(), commit, request.trigger(), clock.instant());
                statuses.report(tx, status(request, commit, stackContext(source), State.PENDING,
                        "building preview of " + source.describe() + "…", urls.buildLog(owner, id, null), id));
                return id;
            });
            BuildLogWriter log = new BuildLogWriter(store, buildId, request.source().token().stream().toList());
            BuildResult result;
            try {
                result = builder.build(new BuildRequest(owner, request.repository(), request.source(), commit,
                        request.environment(), log::line));
            } catch (BuildException | RuntimeException e) {
                log.line(null, "build failed: " + e.getMessage());
                log.flush();
                finish(request, commit, source, buildId, "failed", e.getMessage(), State.FAILURE);
                tell(request, source, commit, List.of("build (" + e.getMessage() + ")"), false);
                return ReconcileOutcome.failed(commit, e.getMessage());
            }
            log.flush();
            List<String> failed = new ArrayList<>();
            Set<String> keep = new HashSet<>();
            for (FunctionBuild function : result.functions()) {
                String outcome = deployOne(request, commit, source, buildId, function, withSecrets, log);
                if (outcome == null) {
                    keep.add(previewNameOrNull(function.name(), source));
                } else {
                    failed.add(function.name() + " (" + outcome + ")");
                }
            }
            log.flush();
            pruneRemoved(owner, request.repository(), source, keep);
            tell(request, source, commit, failed, false);
            if (failed.isEmpty()) {
                String description = result.functions().size() + " preview function(s) deployed";
                finish(request, commit, source, buildId, "succeeded", description, State.SUCCESS);
                return ReconcileOutcome.succeeded(commit, description);
            }
            String description = failed.size() + " of " + result.functions().size() + " preview(s) failed: "
                    + String.join(", ", failed);
            finish(request, commit, source, buildId, "failed", description, State.FAILURE);
            return ReconcileOutcome.failed(commit, description);
        } finally {
            lock.unlock();
        }
    }

    /** Deploys one function's preview; returns null on success, else why it failed (its status says so too). */
    private String deployOne(ReconcileRequest request, String commit, PreviewSource source, long buildId,
                             FunctionBuild function, boolean withSecrets, BuildLogWriter log)
            throws SQLException, InterruptedException {
        String owner = request.owner();
        String context = context(function.name(), source);
        String logUrl = urls.buildLog(owner, buildId, function.name());
        String name;
        try {
            name = source.previewName(function.name());
        } catch (IllegalArgumentException tooLong) {
            report(request, commit, context, State.FAILURE, tooLong.getMessage(), logUrl, buildId);
            return "name too long";
        }
        if (function.outcome() == FunctionBuild.Outcome.FAILED) {
            report(request, commit, context, State.FAILURE, function.reason(), logUrl, buildId);
            return function.reason();
        }
        if (function.outcome() == FunctionBuild.Outcome.SKIPPED) {
            report(request, commit, context, State.SUCCESS, "not built: skip_build is set", logUrl, buildId);
            return null;
        }
        String image = function.image().orElseThrow().toString();
        String spec = SpecJson.write(function.spec());
        FunctionDeployment deployment = SpecJson.deployment(owner, previewRepository(request.repository(), source), name,
                image, commit, source.number(), spec, withSecrets);
        log.line(function.name(), "==> rolling out preview " + name + " (" + Reconciler.shortImage(image) + ")");
        RolloutResult rollout = runtime.deploy(deployment);
        if (rollout.failed()) {
            for (String line : rollout.lastLogLines()) {
                log.line(function.name(), "| " + line);
            }
            String description = "preview rollout failed: " + rollout.reason() + " " + rollout.message();
            log.line(function.name(), description);
            report(request, commit, context, State.FAILURE, description, logUrl, buildId);
            return "rollout failed";
        }
        String url = urls.endpoint(owner, name);
        List<String> replaced = new ArrayList<>();
        Set<String> inUse = store.inTransaction(tx -> {
            records.find(tx, owner, name).map(Preview::image).filter(old -> !old.equals(image)).ifPresent(replaced::add);
            records.put(tx, new Preview(owner, name, request.repository(), source.number(), function.name(), commit, image,
                    url, spec, withSecrets, clock.instant(), source.branch()));
            statuses.report(tx, status(request, commit, context, State.SUCCESS, "preview deployed: " + url, url, buildId));
            return records.imagesInUse(tx);
        });
        removeImages(owner, replaced, inUse); // the image this push replaced serves no one now
        LOG.info("event=preview_deployed owner={} repository={} source=\"{}\" function={} commit={}", owner,
                request.repository(), source.describe(), name, commit);
        return null;
    }

    /** Closing or merging the PR: its preview functions stop and are forgotten. */
    public int close(String owner, String repository, int number) throws SQLException, InterruptedException {
        return close(owner, repository, PreviewSource.pullRequest(number));
    }

    /** Closing the PR or deleting the branch: its preview functions stop and are forgotten, their images go. */
    public int close(String owner, String repository, PreviewSource source) throws SQLException, InterruptedException {
        ReentrantLock lock = reconciler.lockFor(owner);
        lock.lockInterruptibly();
        try {
            int removed = pruneRemoved(owner, repository, source, Set.of());
            if (source.pullRequest()) {
                store.inTransaction(tx -> {
                    listener.changed(tx, owner, repository, source.number(), java.util.Optional.empty(), "", List.of(),
                            List.of(), true);
                    return null;
                });
            }
            LOG.info("event=preview_closed owner={} repository={} source=\"{}\" removed={}", owner, repository,
                    source.describe(), removed);
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** The repository left the installation or was deleted: every preview of its pull requests and branches goes too. */
    public int closeRepository(String owner, String repository) throws SQLException, InterruptedException {
        Set<PreviewSource> sources = new java.util.LinkedHashSet<>();
        for (Preview preview : ofOwner(owner)) {
            if (preview.repository().equals(repository)) {
                sources.add(preview.source());
            }
        }
        int removed = 0;
        for (PreviewSource source : sources) {
            removed += close(owner, repository, source);
        }
        return removed;
    }

    /** What every preview runs, as the store records it (any replica may have deployed it): for routes and restarts. */
    public List<FunctionDeployment> serving() throws SQLException {
        return store.inTransaction(records::all).stream().map(Preview::deployment).toList();
    }

    /** Starts every recorded preview again after a restart (the local runtime runs nothing then). */
    public int restore() throws SQLException, InterruptedException {
        int started = 0;
        for (FunctionDeployment deployment : serving()) {
            RolloutResult result = runtime.deploy(deployment);
            if (result.outcome() == RolloutResult.Outcome.ROLLED_OUT) {
                started++;
            } else if (result.failed()) {
                LOG.warn("event=preview_restore_failed owner={} function={} reason={}", deployment.owner(),
                        deployment.function(), result.reason());
            }
        }
        return started;
    }

    /** Every preview of the owner, for the dashboard and the PR comment. */
    public List<Preview> ofOwner(String owner) throws SQLException {
        return store.inTransaction(tx -> records.ofOwner(tx, owner));
    }

    /** Removes the source's previews not in {@code keep}, from the runtime (by its repository label) and the store. */
    private int pruneRemoved(String owner, String repository, PreviewSource source, Set<String> keep)
            throws SQLException, InterruptedException {
        String previewRepo = previewRepository(repository, source);
        int removed = 0;
        for (DeployedFunction deployed : runtime.list(owner, previewRepo)) {
            if (!keep.contains(deployed.function())) {
                runtime.remove(owner, previewRepo, deployed.function());
                removed++;
            }
        }
        List<String> images = new ArrayList<>();
        Set<String> inUse = store.inTransaction(tx -> {
            for (Preview preview : records.ofSource(tx, owner, repository, source)) {
                if (!keep.contains(preview.previewFunction())) {
                    records.remove(tx, owner, preview.previewFunction());
                    images.add(preview.image());
                }
            }
            return records.imagesInUse(tx);
        });
        removeImages(owner, images, inUse);
        return removed;
    }

    /** Removes the images of removed previews from the local store, unless production or a preview still runs them. */
    private void removeImages(String owner, List<String> removed, Set<String> inUse) {
        if (removed.isEmpty()) {
            return;
        }
        Set<String> digests = new HashSet<>();
        for (String image : inUse) {
            int at = image.indexOf('@');
            digests.add(at >= 0 ? image.substring(at + 1) : image);
        }
        try {
            int gone = images.remove(removed, digests);
            LOG.info("event=preview_images_removed owner={} images={}", owner, gone);
        } catch (java.io.IOException e) {
            // the preview is gone either way; a later close or the store's own pruning gets the image
            LOG.warn("event=preview_images_remove_failed owner={} error={}", owner, e.toString());
        }
    }

    /** Tells the listener (the PR comment) what the PR's previews are after this build; a branch has no comment. */
    private void tell(ReconcileRequest request, PreviewSource source, String commit, List<String> failed, boolean closed)
            throws SQLException {
        if (!source.pullRequest()) {
            return;
        }
        store.inTransaction(tx -> {
            listener.changed(tx, request.owner(), request.repository(), source.number(), request.installationId(), commit,
                    records.ofSource(tx, request.owner(), request.repository(), source), failed, closed);
            return null;
        });
    }

    private static String previewNameOrNull(String function, PreviewSource source) {
        String name = function + "--" + source.suffix();
        return name.length() > MAX_NAME ? null : name;
    }

    private void finish(ReconcileRequest request, String commit, PreviewSource source, long buildId, String state,
                        String reason, State stackState) throws SQLException {
        store.inTransaction(tx -> {
            builds.finish(tx, buildId, state, reason, clock.instant());
            statuses.report(tx, status(request, commit, stackContext(source), stackState, reason,
                    urls.buildLog(request.owner(), buildId, null), buildId));
            return null;
        });
    }

    private void report(ReconcileRequest request, String commit, String context, State state, String description,
                        String targetUrl, long sequence) throws SQLException {
        store.inTransaction(tx -> {
            statuses.report(tx, status(request, commit, context, state, description, targetUrl, sequence));
            return null;
        });
    }

    private static StatusReport status(ReconcileRequest request, String commit, String context, State state,
                                       String description, String targetUrl, long sequence) {
        return new StatusReport(request.owner(), request.repository(), commit, request.branch(), context, state,
                description, targetUrl, request.installationId(), sequence);
    }
}
