package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.metrics.DaemonMetrics;
import dev.driftless.reconciler.queue.Enqueued;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobReason;
import dev.driftless.reconciler.queue.JobRequest;
import dev.driftless.reconciler.reconcile.PreviewRecords;
import dev.driftless.reconciler.reconcile.PreviewSettings;
import dev.driftless.reconciler.reconcile.PreviewSource;
import dev.driftless.reconciler.reconcile.Transactions;
import dev.driftless.webhook.Delivery;
import dev.driftless.webhook.DeliverySink;
import dev.driftless.webhook.GitHubEvent;
import dev.driftless.webhook.GitPushSink;
import dev.driftless.webhook.RepositoryChanged;
import dev.driftless.webhook.RepositoryRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Intake on the reconciler side: records each verified delivery, the repositories and installations it
 * names, and the job it triggers, in ONE transaction, so that what was answered 2xx is never lost and a
 * redelivery ({@code X-GitHub-Delivery} seen before) queues nothing. Pushes from the built-in git endpoint
 * take the same path with source {@code git}. Blocking: called on a worker thread.
 *
 * <p>Only a push to the tracked branch (configured, or else the repository's default branch) builds production; tag
 * pushes, other branches and branch deletions are recorded with their outcome. A push of another branch to the
 * built-in endpoint queues a preview of it when the repository switched branch previews on. Repositories leaving an
 * installation (or the installation being deleted) queue {@code gc} jobs.
 */
public final class StoreDeliverySink implements DeliverySink, GitPushSink {
    private static final Logger LOG = LoggerFactory.getLogger(StoreDeliverySink.class);
    private static final String ZERO_SHA = "0".repeat(40);
    /** Repositories pushed to the built-in endpoint have HEAD at refs/heads/main. */
    private static final String GIT_DEFAULT_BRANCH = "main";

    private final Transactions db;
    private final JobQueue queue;
    private final DriftlessConfig config;
    private final DaemonMetrics metrics;
    private final Runnable onQueued;
    private final Clock clock;
    private final DeliveryRecord deliveries = new DeliveryRecord();
    private final Repositories repositories = new Repositories();
    private final PreviewSettings previewSettings = new PreviewSettings();
    private final PreviewRecords previewRecords = new PreviewRecords();

    /** @param onQueued called after a commit that queued a job (wakes the local job workers) */
    public StoreDeliverySink(Transactions db, JobQueue queue, DriftlessConfig config, DaemonMetrics metrics,
                             Runnable onQueued, Clock clock) {
        this.db = db;
        this.queue = queue;
        this.config = config;
        this.metrics = metrics;
        this.onQueued = onQueued;
        this.clock = clock;
    }

    /** Wakes this process's job workers: a job was just queued elsewhere (the API, the dashboard). */
    public void wakeWorkers() {
        onQueued.run();
    }

    /**
     * Hears pushes refused by the owner allow-list, inside the delivery's transaction, so the owner can be
     * told why on the commit (a failed status) exactly when the delivery is recorded.
     */
    @FunctionalInterface
    public interface RefusedPushes {
        void refused(Connection tx, GitHubEvent.Push push) throws SQLException;
    }

    private volatile RefusedPushes refusedPushes = (tx, push) -> { };

    /** Set by the module that reports statuses; until then refused pushes are only recorded. */
    public void onRefusedPush(RefusedPushes listener) {
        this.refusedPushes = listener;
    }

    /**
     * Hears every recorded GitHub event and git push, inside the delivery's transaction (the audit trail
     * writes its entry there, so a delivery and its entry are stored together or not at all).
     */
    public interface RecordedEvents {
        default void github(Connection tx, String deliveryId, GitHubEvent event, String outcome) throws SQLException { }

        default void gitPush(Connection tx, String deliveryId, RepositoryChanged change, String outcome) throws SQLException { }

        /** The GitHub events of one transaction (group commit), in order; by default each as {@link #github} hears it. */
        default void githubAll(Connection tx, List<RecordedGitHubEvent> events) throws SQLException {
            for (RecordedGitHubEvent e : events) {
                github(tx, e.deliveryId(), e.event(), e.outcome());
            }
        }
    }

    /** A GitHub event as recorded: the delivery, the (canonical) event and the outcome it was recorded with. */
    public record RecordedGitHubEvent(String deliveryId, GitHubEvent event, String outcome) { }

    private volatile RecordedEvents recordedEvents = new RecordedEvents() { };

    public void onRecorded(RecordedEvents listener) {
        this.recordedEvents = listener;
    }

    @Override
    public Result accept(Delivery delivery) throws SQLException {
        return acceptAll(List.of(delivery)).get(0);
    }

    /**
     * Records deliveries that arrived together in ONE transaction (group commit, see {@link GroupCommit}): exactly
     * what recording them one after the other would store, in fewer statements. A delivery whose id is already
     * recorded, also earlier in the same list, is a duplicate; pushes to the same branch coalesce into one job.
     * All or nothing: when the transaction fails, none of them is recorded and the exception is thrown.
     *
     * @return one result per delivery, in order
     */
    public List<Result> acceptAll(List<Delivery> batch) throws SQLException {
        List<Written> written = db.inTransaction(tx -> {
            List<Written> rows = new ArrayList<>(batch.size());
            boolean[] fresh = deliveries.insertAll(tx, batch, "github", this::at);
            BatchMemo memo = new BatchMemo();
            for (int i = 0; i < batch.size(); i++) {
                rows.add(fresh[i] ? record(tx, batch.get(i), memo) : Written.duplicate(batch.get(i).id()));
            }
            List<Written> resolved = memo.enqueueCoalesced(tx, rows);
            recordedEvents.githubAll(tx, memo.recorded(resolved));
            deliveries.outcomeAll(tx, resolved.stream().filter(w -> w.outcome() != Outcome.DUPLICATE).toList());
            return resolved;
        });
        List<Result> results = new ArrayList<>(batch.size());
        boolean queued = false;
        for (int i = 0; i < batch.size(); i++) {
            Delivery delivery = batch.get(i);
            Written recorded = written.get(i);
            metrics.delivery(delivery.eventName(), recorded.outcome().label());
            LOG.info("event=webhook.delivery delivery={} github_event={} outcome={}{}", delivery.id(), delivery.eventName(),
                    recorded.outcome().label(), recorded.jobId().map(id -> " job=" + id).orElse(""));
            queued |= recorded.jobId().isPresent();
            results.add(recorded.outcome() == Outcome.DUPLICATE ? Result.DUPLICATE : Result.RECORDED);
        }
        if (queued) {
            onQueued.run();
        }
        return results;
    }

    /**
     * What one transaction of several deliveries did already, so that it does not do it again: repositories upserted
     * with the same values, and the reconcile jobs pushes asked for, enqueued once per branch at the end (the newest
     * push's head wins, as it would one after the other).
     */
    private final class BatchMemo {
        private final Set<Repositories.Known> upserted = new HashSet<>();
        private final Map<String, JobRequest> newestByKey = new LinkedHashMap<>();
        private final List<RecordedGitHubEvent> recorded = new ArrayList<>();

        /** The batch's recorded events with the outcome each delivery ended with (queued or coalesced, once resolved). */
        List<RecordedGitHubEvent> recorded(List<Written> resolved) {
            Map<String, String> outcomes = new HashMap<>();
            for (Written w : resolved) {
                if (w.outcome() != Outcome.DUPLICATE) {
                    outcomes.put(w.deliveryId(), w.outcome().label());
                }
            }
            return recorded.stream().map(e -> new RecordedGitHubEvent(e.deliveryId(), e.event(),
                    outcomes.getOrDefault(e.deliveryId(), e.outcome()))).toList();
        }

        void upsert(Connection tx, Repositories.Known repo, OffsetDateTime now) throws SQLException {
            if (upserted.add(repo)) {
                repositories.upsert(tx, repo, true, now);
            }
        }

        /** Installation events change repositories in other ways: forget what was upserted. */
        void forgetRepositories() {
            upserted.clear();
        }

        void job(JobRequest request) {
            newestByKey.put(request.key(), request);
        }

        /** Enqueues each branch's newest request; the first push of a branch is queued (or coalesced), the rest coalesced. */
        List<Written> enqueueCoalesced(Connection tx, List<Written> rows) throws SQLException {
            if (newestByKey.isEmpty()) {
                return rows;
            }
            Map<String, Enqueued> enqueued = new HashMap<>();
            for (var entry : newestByKey.entrySet()) {
                enqueued.put(entry.getKey(), queue.enqueue(tx, entry.getValue()));
            }
            Set<String> seen = new HashSet<>();
            List<Written> resolved = new ArrayList<>(rows.size());
            for (Written row : rows) {
                if (row.job().isEmpty()) {
                    resolved.add(row);
                    continue;
                }
                String key = row.job().get().key();
                Enqueued job = enqueued.get(key);
                boolean coalesced = !seen.add(key) || job.coalesced();
                resolved.add(row.withJob(coalesced ? Outcome.COALESCED : Outcome.QUEUED, job.jobId()));
            }
            return resolved;
        }
    }

    /**
     * GitHub logins are case-insensitive ({@code Codertocat} = {@code codertocat}); Driftless names owners
     * in lower case everywhere they become hostnames, namespaces and routes, so it records them that way.
     */
    static GitHubEvent canonical(GitHubEvent event) {
        if (event instanceof GitHubEvent.Push p) {
            return new GitHubEvent.Push(lower(p.repository()), p.ref(), p.branch(), p.tag(), p.created(), p.deleted(),
                    p.forced(), p.before(), p.after(), p.installationId(), p.pusher());
        }
        if (event instanceof GitHubEvent.PullRequest pr) {
            return new GitHubEvent.PullRequest(pr.action(), pr.number(), lower(pr.repository()), pr.headSha(),
                    pr.headRef(), pr.headRepository(), pr.fromFork(), pr.merged(), pr.installationId());
        }
        if (event instanceof GitHubEvent.Installation i) {
            return new GitHubEvent.Installation(i.action(), i.installationId(), lower(i.account()), i.accountType(),
                    i.repositories().stream().map(StoreDeliverySink::lower).toList());
        }
        if (event instanceof GitHubEvent.InstallationRepositories r) {
            return new GitHubEvent.InstallationRepositories(r.action(), r.installationId(), lower(r.account()),
                    r.added().stream().map(StoreDeliverySink::lower).toList(),
                    r.removed().stream().map(StoreDeliverySink::lower).toList());
        }
        return event;
    }

    private static RepositoryRef lower(RepositoryRef repo) {
        return new RepositoryRef(lower(repo.owner()), repo.name(), repo.id(), repo.isPrivate(), repo.cloneUrl(),
                repo.defaultBranch());
    }

    private static String lower(String login) {
        return login == null ? null : login.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * What became of one delivery, as written back to its {@code deliveries} row; a push to a tracked branch carries
     * the job it asks for until the batch has enqueued it.
     */
    record Written(String deliveryId, Optional<String> action, Optional<String> owner, Optional<String> repository,
                   Optional<String> ref, Optional<String> headSha, Outcome outcome, Optional<Long> jobId,
                   Optional<JobRequest> job) {
        static Written duplicate(String deliveryId) {
            return new Written(deliveryId, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Outcome.DUPLICATE, Optional.empty(), Optional.empty());
        }

        Written withJob(Outcome queuedOrCoalesced, long id) {
            return new Written(deliveryId, action, owner, repository, ref, headSha, queuedOrCoalesced, Optional.of(id),
                    Optional.empty());
        }
    }

    private Written record(Connection tx, Delivery delivery, BatchMemo memo) throws SQLException {
        GitHubEvent event = canonical(delivery.event());
        Written written = recordEvent(tx, delivery, event, memo);
        // Heard once for the whole batch (the audit trail writes its entries in one batched statement).
        memo.recorded.add(new RecordedGitHubEvent(delivery.id(), event, written.outcome().label()));
        return written;
    }

    private Written recordEvent(Connection tx, Delivery delivery, GitHubEvent event, BatchMemo memo) throws SQLException {
        OffsetDateTime now = at(delivery);
        if (event instanceof GitHubEvent.Push push) {
            return push(tx, delivery.id(), push, now, memo);
        }
        if (event instanceof GitHubEvent.PullRequest pr) {
            return pullRequest(tx, delivery.id(), pr, now, memo);
        }
        memo.forgetRepositories();
        if (event instanceof GitHubEvent.Installation installation) {
            return installation(tx, delivery.id(), installation, now);
        }
        if (event instanceof GitHubEvent.InstallationRepositories changed) {
            return installationRepositories(tx, delivery.id(), changed, now);
        }
        Outcome outcome = event instanceof GitHubEvent.Ping ? Outcome.PING : Outcome.IGNORED;
        return new Written(delivery.id(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), outcome, Optional.empty(), Optional.empty());
    }

    private Written push(Connection tx, String deliveryId, GitHubEvent.Push push, OffsetDateTime now, BatchMemo memo)
            throws SQLException {
        RepositoryRef repo = push.repository();
        Optional<JobRequest> job = Optional.empty();
        Outcome outcome;
        if (!config.ownerAllowed(repo.owner())) {
            outcome = Outcome.OWNER_NOT_ALLOWED;
            if (push.branch().isPresent() && !push.deleted() && !ZERO_SHA.equals(push.after())) {
                refusedPushes.refused(tx, push);
            }
        } else {
            memo.upsert(tx, new Repositories.Known(repo.owner(), repo.name(), "github", cloneUrl(repo),
                    nonBlank(repo.defaultBranch()), push.installationId(), Optional.of(repo.id())), now);
            String tracked = config.trackedBranchFor(repo.defaultBranch());
            if (push.tag()) {
                outcome = Outcome.TAG;
            } else if (push.deleted() || ZERO_SHA.equals(push.after())) {
                outcome = Outcome.BRANCH_DELETED;
            } else if (push.branch().isEmpty() || !push.branch().get().equals(tracked)) {
                outcome = Outcome.NOT_TRACKED_BRANCH;
            } else {
                job = Optional.of(JobRequest.reconcile(repo.owner(), repo.name(), tracked, Optional.of(push.after()),
                        JobReason.WEBHOOK));
                memo.job(job.get());
                outcome = Outcome.QUEUED; // or COALESCED: known once the batch enqueued
            }
        }
        return new Written(deliveryId, Optional.empty(), Optional.of(repo.owner()), Optional.of(repo.name()),
                Optional.of(push.ref()), Optional.of(push.after()), outcome, Optional.empty(), job);
    }

    /**
     * A pull request opened, pushed to, reopened or closed queues a preview job for its head commit (closing removes
     * the preview); other actions (labeled, assigned, …) are recorded only. Forks are built only when configured.
     */
    private Written pullRequest(Connection tx, String deliveryId, GitHubEvent.PullRequest pr, OffsetDateTime now,
                                BatchMemo memo) throws SQLException {
        RepositoryRef repo = pr.repository();
        Optional<JobRequest> job = Optional.empty();
        Outcome outcome;
        if (!config.ownerAllowed(repo.owner())) {
            outcome = Outcome.OWNER_NOT_ALLOWED;
        } else if (!config.previews().enabled() || !(pr.building() || pr.closing())) {
            outcome = Outcome.IGNORED;
        } else if (pr.fromFork() && !config.previews().fromForks() && !pr.closing()) {
            outcome = Outcome.FORK_NOT_BUILT;
        } else {
            memo.upsert(tx, new Repositories.Known(repo.owner(), repo.name(), "github", cloneUrl(repo),
                    nonBlank(repo.defaultBranch()), pr.installationId(), Optional.of(repo.id())), now);
            job = Optional.of(JobRequest.preview(repo.owner(), repo.name(), pr.number(), pr.headSha(), pr.closing(),
                    pr.fromFork()));
            memo.job(job.get());
            outcome = Outcome.QUEUED; // or COALESCED: known once the batch enqueued
        }
        return new Written(deliveryId, Optional.of(pr.action()), Optional.of(repo.owner()), Optional.of(repo.name()),
                Optional.of("refs/pull/" + pr.number() + "/head"), Optional.of(pr.headSha()), outcome, Optional.empty(),
                job);
    }

    private Written installation(Connection tx, String deliveryId, GitHubEvent.Installation event, OffsetDateTime now)
            throws SQLException {
        String state = switch (event.action()) {
            case "deleted" -> "deleted";
            case "suspend" -> "suspended";
            default -> "active";
        };
        repositories.installation(tx, event.installationId(), event.account(), event.accountType(), state, now);
        Outcome outcome = Outcome.RECORDED;
        Optional<Long> lastJob = Optional.empty();
        if (state.equals("deleted")) {
            List<String[]> gone = new ArrayList<>(repositories.ofInstallation(tx, event.installationId()));
            for (RepositoryRef repo : event.repositories()) {
                if (gone.stream().noneMatch(n -> n[0].equals(repo.owner()) && n[1].equals(repo.name()))) {
                    gone.add(new String[] {repo.owner(), repo.name()});
                }
            }
            for (String[] name : gone) {
                lastJob = Optional.of(removed(tx, name[0], name[1], now));
                outcome = Outcome.GC_QUEUED;
            }
        } else if (state.equals("active")) {
            for (RepositoryRef repo : event.repositories()) {
                repositories.upsert(tx, known(repo, event.installationId()), true, now);
            }
        }
        return new Written(deliveryId, Optional.of(event.action()), Optional.of(event.account()), Optional.empty(),
                Optional.empty(), Optional.empty(), outcome, lastJob, Optional.empty());
    }

    private Written installationRepositories(Connection tx, String deliveryId, GitHubEvent.InstallationRepositories event,
                                              OffsetDateTime now) throws SQLException {
        repositories.installation(tx, event.installationId(), event.account(), null, "active", now);
        for (RepositoryRef repo : event.added()) {
            repositories.upsert(tx, known(repo, event.installationId()), true, now);
        }
        Optional<Long> lastJob = Optional.empty();
        for (RepositoryRef repo : event.removed()) {
            lastJob = Optional.of(removed(tx, repo.owner(), repo.name(), now));
        }
        Outcome outcome = lastJob.isPresent() ? Outcome.GC_QUEUED : Outcome.RECORDED;
        return new Written(deliveryId, Optional.of(event.action()), Optional.of(event.account()), Optional.empty(),
                Optional.empty(), Optional.empty(), outcome, lastJob, Optional.empty());
    }

    /** The repository left: mark it inactive and queue the removal of what it deployed. */
    private long removed(Connection tx, String owner, String name, OffsetDateTime now) throws SQLException {
        repositories.deactivate(tx, owner, name, now);
        return queue.enqueue(tx, JobRequest.gc(owner, name, JobReason.REMOVED)).jobId();
    }

    @Override
    public void pushed(List<RepositoryChanged> changes) throws SQLException {
        pushedTelling(changes);
    }

    /** Records the pushes; tells the git client which branch previews they queued, and under which name. */
    @Override
    public List<String> pushedTelling(List<RepositoryChanged> changes) throws SQLException {
        List<String> told = new ArrayList<>();
        List<Outcome> outcomes = db.inTransaction(tx -> {
            List<Outcome> result = new ArrayList<>();
            OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            for (RepositoryChanged change : changes) {
                result.add(gitPush(tx, change, now, told));
            }
            return result;
        });
        for (Outcome outcome : outcomes) {
            metrics.delivery("git-push", outcome.label());
        }
        if (outcomes.contains(Outcome.QUEUED) || outcomes.contains(Outcome.COALESCED)) {
            onQueued.run();
        }
        return List.copyOf(told);
    }

    private Outcome gitPush(Connection tx, RepositoryChanged change, OffsetDateTime now, List<String> told)
            throws SQLException {
        String id = "git-" + UUID.randomUUID();
        deliveries.insert(tx, id, "git", "git-push", now);
        Optional<Long> jobId = Optional.empty();
        Outcome outcome;
        if (!config.ownerAllowed(change.owner())) {
            outcome = Outcome.OWNER_NOT_ALLOWED;
        } else {
            String defaultBranch = repositories.defaultBranch(tx, change.owner(), change.repository()).orElse(GIT_DEFAULT_BRANCH);
            repositories.upsert(tx, new Repositories.Known(change.owner(), change.repository(), "git", change.cloneUrl(),
                    Optional.of(defaultBranch), Optional.empty(), Optional.empty()), true, now);
            String tracked = config.trackedBranchFor(defaultBranch);
            Optional<JobRequest> preview = change.ref().equals("refs/heads/" + tracked) ? Optional.empty()
                    : branchPreview(tx, change);
            if (change.ref().startsWith("refs/tags/")) {
                outcome = Outcome.TAG;
            } else if (preview.isPresent()) {
                Enqueued enqueued = queue.enqueue(tx, preview.get());
                outcome = enqueued.coalesced() ? Outcome.COALESCED : Outcome.QUEUED;
                jobId = Optional.of(enqueued.jobId());
                told.add(told(preview.get()));
            } else if (ZERO_SHA.equals(change.after())) {
                outcome = Outcome.BRANCH_DELETED;
            } else if (!change.ref().equals("refs/heads/" + tracked)) {
                outcome = Outcome.NOT_TRACKED_BRANCH;
            } else {
                Enqueued enqueued = queue.enqueue(tx, JobRequest.reconcile(change.owner(), change.repository(), tracked,
                        Optional.of(change.after()), JobReason.GIT_PUSH));
                outcome = enqueued.coalesced() ? Outcome.COALESCED : Outcome.QUEUED;
                jobId = Optional.of(enqueued.jobId());
            }
        }
        deliveries.outcome(tx, id, Optional.empty(), Optional.of(change.owner()), Optional.of(change.repository()),
                Optional.of(change.ref()), Optional.of(change.after()), outcome.label(), jobId);
        recordedEvents.gitPush(tx, id, change, outcome.label());
        LOG.info("event=git.push delivery={} owner={} repository={} ref={} outcome={}{}", id, change.owner(),
                change.repository(), change.ref(), outcome.label(), jobId.map(j -> " job=" + j).orElse(""));
        return outcome;
    }

    /**
     * The preview job a push of a branch other than the tracked one asks for: a build while the repository's
     * {@code .driftless.yml} (as its tracked branch last had it) switches branch previews on, and the removal of the
     * branch's previews once it is deleted: while the switch is on (a build of the branch may still be queued or
     * running, and runs before the removal) or when previews of it are recorded (the switch may have gone off since).
     */
    private Optional<JobRequest> branchPreview(Connection tx, RepositoryChanged change) throws SQLException {
        if (!change.ref().startsWith("refs/heads/") || !config.previews().enabled()) {
            return Optional.empty();
        }
        String branch = change.ref().substring("refs/heads/".length());
        PreviewSource source;
        try {
            source = PreviewSource.branch(branch);
        } catch (IllegalArgumentException notPreviewable) {
            return Optional.empty();
        }
        if (("branch/" + branch).length() > 255) {
            return Optional.empty(); // the job's branch column holds 255 characters
        }
        boolean on = previewSettings.find(tx, change.owner(), change.repository()).branchPreviews();
        if (ZERO_SHA.equals(change.after())) {
            boolean recorded = !previewRecords.ofSource(tx, change.owner(), change.repository(), source).isEmpty();
            return on || recorded ? Optional.of(JobRequest.branchPreview(change.owner(), change.repository(), branch,
                    Optional.empty())) : Optional.empty();
        }
        return on ? Optional.of(JobRequest.branchPreview(change.owner(), change.repository(), branch,
                Optional.of(change.after()))) : Optional.empty();
    }

    /** What a branch preview job means to the one who pushed. */
    private static String told(JobRequest preview) {
        String branch = preview.branch().orElseThrow().substring("branch/".length());
        PreviewSource source = PreviewSource.branch(branch);
        return preview.headSha().isEmpty()
                ? "the previews of " + source.describe() + " are being removed"
                : "preview of " + source.describe() + " queued: each function answers as <function>--" + source.suffix()
                        + " at https://" + preview.owner() + ".<domain>/<function>--" + source.suffix();
    }

    private static Repositories.Known known(RepositoryRef repo, long installationId) {
        return new Repositories.Known(repo.owner(), repo.name(), "github", cloneUrl(repo), nonBlank(repo.defaultBranch()),
                Optional.of(installationId), repo.id() > 0 ? Optional.of(repo.id()) : Optional.empty());
    }

    private static String cloneUrl(RepositoryRef repo) {
        return repo.cloneUrl() == null || repo.cloneUrl().isBlank()
                ? "https://github.com/" + repo.fullName() + ".git" : repo.cloneUrl();
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    private OffsetDateTime at(Delivery delivery) {
        return OffsetDateTime.ofInstant(delivery.receivedAt() != null ? delivery.receivedAt() : clock.instant(), ZoneOffset.UTC);
    }
}
