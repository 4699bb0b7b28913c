package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.metrics.DaemonMetrics;
import dev.driftless.reconciler.queue.Enqueued;
import dev.driftless.reconciler.queue.JobQueue;
import dev.driftless.reconciler.queue.JobReason;
import dev.driftless.reconciler.queue.JobRequest;
import dev.driftless.reconciler.store.Database;
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
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Intake on the reconciler side: records each verified delivery, the repositories and installations it
 * names, and the job it triggers, in ONE transaction, so that what was answered 2xx is never lost and a
 * redelivery ({@code X-GitHub-Delivery} seen before) queues nothing. Pushes from the built-in git endpoint
 * take the same path with source {@code git}. Blocking: called on a worker thread.
 *
 * <p>Only a push to the tracked branch (configured, or else the repository's default branch) builds; tag
 * pushes, other branches and branch deletions are recorded with their outcome. Repositories leaving an
 * installation (or the installation being deleted) queue {@code gc} jobs.
 */
public final class StoreDeliverySink implements DeliverySink, GitPushSink {
    private static final Logger LOG = LoggerFactory.getLogger(StoreDeliverySink.class);
    private static final String ZERO_SHA = "0".repeat(40);
    /** Repositories pushed to the built-in endpoint have HEAD at refs/heads/main. */
    private static final String GIT_DEFAULT_BRANCH = "main";

    private final Database db;
    private final JobQueue queue;
    private final DriftlessConfig config;
    private final DaemonMetrics metrics;
    private final Runnable onQueued;
    private final Clock clock;
    private final DeliveryRecord deliveries = new DeliveryRecord();
    private final Repositories repositories = new Repositories();

    /** @param onQueued called after a commit that queued a job (wakes the local job workers) */
    public StoreDeliverySink(Database db, JobQueue queue, DriftlessConfig config, DaemonMetrics metrics,
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

    @Override
    public Result accept(Delivery delivery) throws SQLException {
        Recorded recorded = db.inTransaction(tx -> {
            if (!deliveries.insert(tx, delivery.id(), "github", delivery.eventName(), at(delivery))) {
                return new Recorded(Outcome.DUPLICATE, Optional.empty());
            }
            return record(tx, delivery);
        });
        metrics.delivery(delivery.eventName(), recorded.outcome().label());
        LOG.info("event=webhook.delivery delivery={} github_event={} outcome={}{}", delivery.id(), delivery.eventName(),
                recorded.outcome().label(), recorded.jobId().map(id -> " job=" + id).orElse(""));
        if (recorded.jobId().isPresent()) {
            onQueued.run();
        }
        return recorded.outcome() == Outcome.DUPLICATE ? Result.DUPLICATE : Result.RECORDED;
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

    private record Recorded(Outcome outcome, Optional<Long> jobId) { }

    private Recorded record(Connection tx, Delivery delivery) throws SQLException {
        OffsetDateTime now = at(delivery);
        GitHubEvent event = canonical(delivery.event());
        if (event instanceof GitHubEvent.Push push) {
            return push(tx, delivery.id(), push, now);
        }
        if (event instanceof GitHubEvent.Installation installation) {
            return installation(tx, delivery.id(), installation, now);
        }
        if (event instanceof GitHubEvent.InstallationRepositories changed) {
            return installationRepositories(tx, delivery.id(), changed, now);
        }
        Outcome outcome = event instanceof GitHubEvent.Ping ? Outcome.PING : Outcome.IGNORED;
        deliveries.outcome(tx, delivery.id(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), outcome.label(), Optional.empty());
        return new Recorded(outcome, Optional.empty());
    }

    private Recorded push(Connection tx, String deliveryId, GitHubEvent.Push push, OffsetDateTime now) throws SQLException {
        RepositoryRef repo = push.repository();
        Optional<Long> jobId = Optional.empty();
        Outcome outcome;
        if (!config.ownerAllowed(repo.owner())) {
            outcome = Outcome.OWNER_NOT_ALLOWED;
            if (push.branch().isPresent() && !push.deleted() && !ZERO_SHA.equals(push.after())) {
                refusedPushes.refused(tx, push);
            }
        } else {
            repositories.upsert(tx, new Repositories.Known(repo.owner(), repo.name(), "github", cloneUrl(repo),
                    nonBlank(repo.defaultBranch()), push.installationId(), Optional.of(repo.id())), true, now);
            String tracked = config.trackedBranchFor(repo.defaultBranch());
            if (push.tag()) {
                outcome = Outcome.TAG;
            } else if (push.deleted() || ZERO_SHA.equals(push.after())) {
                outcome = Outcome.BRANCH_DELETED;
            } else if (push.branch().isEmpty() || !push.branch().get().equals(tracked)) {
                outcome = Outcome.NOT_TRACKED_BRANCH;
            } else {
                Enqueued enqueued = queue.enqueue(tx, JobRequest.reconcile(repo.owner(), repo.name(), tracked,
                        Optional.of(push.after()), JobReason.WEBHOOK));
                outcome = enqueued.coalesced() ? Outcome.COALESCED : Outcome.QUEUED;
                jobId = Optional.of(enqueued.jobId());
            }
        }
        deliveries.outcome(tx, deliveryId, Optional.empty(), Optional.of(repo.owner()), Optional.of(repo.name()),
                Optional.of(push.ref()), Optional.of(push.after()), outcome.label(), jobId);
        return new Recorded(outcome, jobId);
    }

    private Recorded installation(Connection tx, String deliveryId, GitHubEvent.Installation event, OffsetDateTime now)
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
        deliveries.outcome(tx, deliveryId, Optional.of(event.action()), Optional.of(event.account()), Optional.empty(),
                Optional.empty(), Optional.empty(), outcome.label(), lastJob);
        return new Recorded(outcome, lastJob);
    }

    private Recorded installationRepositories(Connection tx, String deliveryId, GitHubEvent.InstallationRepositories event,
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
        deliveries.outcome(tx, deliveryId, Optional.of(event.action()), Optional.of(event.account()), Optional.empty(),
                Optional.empty(), Optional.empty(), outcome.label(), lastJob);
        return new Recorded(outcome, lastJob);
    }

    /** The repository left: mark it inactive and queue the removal of what it deployed. */
    private long removed(Connection tx, String owner, String name, OffsetDateTime now) throws SQLException {
        repositories.deactivate(tx, owner, name, now);
        return queue.enqueue(tx, JobRequest.gc(owner, name, JobReason.REMOVED)).jobId();
    }

    @Override
    public void pushed(List<RepositoryChanged> changes) throws SQLException {
        List<Outcome> outcomes = db.inTransaction(tx -> {
            List<Outcome> result = new ArrayList<>();
            OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            for (RepositoryChanged change : changes) {
                result.add(gitPush(tx, change, now));
            }
            return result;
        });
        for (Outcome outcome : outcomes) {
            metrics.delivery("git-push", outcome.label());
        }
        if (outcomes.contains(Outcome.QUEUED) || outcomes.contains(Outcome.COALESCED)) {
            onQueued.run();
        }
    }

    private Outcome gitPush(Connection tx, RepositoryChanged change, OffsetDateTime now) throws SQLException {
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
            if (change.ref().startsWith("refs/tags/")) {
                outcome = Outcome.TAG;
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
        LOG.info("event=git.push delivery={} owner={} repository={} ref={} outcome={}{}", id, change.owner(),
                change.repository(), change.ref(), outcome.label(), jobId.map(j -> " job=" + j).orElse(""));
        return outcome;
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
