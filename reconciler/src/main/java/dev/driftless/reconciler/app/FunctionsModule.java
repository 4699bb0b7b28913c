package dev.driftless.reconciler.app;

import dev.driftless.builder.Builder;
import dev.driftless.builder.BuilderConfig;
import dev.driftless.builder.RegistryCredentials;
import dev.driftless.dashboard.Dashboard;
import dev.driftless.dashboard.GitHubOAuth;
import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.TokenVerifier;
import dev.driftless.dashboard.Views;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.FunctionTraffic;
import dev.driftless.gateway.Gateway;
import dev.driftless.gateway.GatewayConfig;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.gateway.Waker;
import dev.driftless.gateway.TrustedProxies;
import dev.driftless.reconciler.DaemonContext;
import dev.driftless.reconciler.DaemonModule;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.config.Secret;
import dev.driftless.reconciler.dashboard.StoreDashboardData;
import dev.driftless.reconciler.dashboard.StoreSessions;
import dev.driftless.reconciler.dashboard.TrafficSource;
import dev.driftless.reconciler.queue.JobKind;
import dev.driftless.reconciler.reconcile.Previews;
import dev.driftless.dashboard.SessionStore;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.audit.AuditPruner;
import dev.driftless.reconciler.audit.AuditRoutes;
import dev.driftless.reconciler.audit.AuditingSessions;
import dev.driftless.reconciler.audit.AuditingStatuses;
import dev.driftless.reconciler.audit.IntakeAuditor;
import dev.driftless.reconciler.reconcile.CommitStatuses;
import dev.driftless.reconciler.http.ApiAuth;
import dev.driftless.reconciler.reconcile.CommitBuilder;
import dev.driftless.reconciler.reconcile.Reconciler;
import dev.driftless.reconciler.notify.Notifications;
import dev.driftless.reconciler.secrets.SealedSecretImporter;
import dev.driftless.reconciler.secrets.SealingKey;
import dev.driftless.reconciler.secrets.SecretKeyRing;
import dev.driftless.reconciler.secrets.SecretRoutes;
import dev.driftless.reconciler.secrets.SecretStore;
import dev.driftless.reconciler.reconcile.RepositoryHeads;
import dev.driftless.reconciler.reconcile.Urls;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.Leadership;
import dev.driftless.runtime.kubernetes.KubernetesRuntime;
import dev.driftless.runtime.kubernetes.LeaseLeadership;
import dev.driftless.runtime.local.LocalRuntime;
import dev.driftless.runtime.local.LocalRuntimeSettings;
import dev.driftless.status.BadgeHandler;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.OwnerPolicy;
import dev.driftless.status.GitHubAccess;
import dev.driftless.status.GitHubAppKey;
import dev.driftless.status.GitHubConfig;
import dev.driftless.status.GitHubCredentials;
import dev.driftless.status.StatusOutbox;
import dev.driftless.status.StatusPublisher;
import dev.driftless.status.StatusSender;
import dev.driftless.templates.Templates;
import dev.driftless.webhook.GitHttpHandler;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Wires the functions loop into the daemon: builder, runtime, HTTPS gateway, status outbox and sender,
 * the reconcile and gc job handlers, the periodic resync, the built-in git endpoint, badges and the
 * dashboard. The HTTP port serves machines (webhooks, git, API, badges, ops); the HTTPS gateway serves
 * functions on {@code <owner>.<domain>} and people on the bare domain (dashboard, git, badges, API).
 */
public final class FunctionsModule implements DaemonModule {
    private static final Logger LOG = LoggerFactory.getLogger(FunctionsModule.class);

    private volatile Reconciler reconciler;
    private volatile Previews previews;
    private volatile Gateway gateway;
    private volatile Optional<StatusSender> statusSender = Optional.empty();
    private volatile FunctionRuntime runtime;
    private volatile Notifications notifications;

    @Override
    public int order() {
        return 10;
    }

    @Override
    public void configure(DaemonContext context) throws Exception {
        DriftlessConfig config = context.config();
        Path data = config.data().toAbsolutePath().normalize();

        // The HTTPS gateway first: its port and certificate authority are part of every URL we hand out.
        InMemoryRouteTable routes = new InMemoryRouteTable();
        FunctionTimeouts timeouts = new FunctionTimeouts();
        Router site = Router.router(context.vertx());
        GatewayConfig.Builder gatewayConfig = GatewayConfig.builder()
                .domain(config.domain())
                .httpsPort(config.httpsPort())
                .dataFolder(data)
                .routes(routes)
                .metrics(context.registry())
                .certificateCheckInterval(Duration.ofSeconds(2))
                .functionTimeouts(timeouts::lookup)
                .trustedProxies(TrustedProxies.of(config.trustedProxies()))
                .clientRateLimit(config.clientLimits().functions())
                .fallback(site::handleContext)
                .waker(address -> runtime instanceof Waker waker ? waker.wake(address) : Optional.empty())
                .wakeTimeout(config.wakeTimeout())
                .clock(context.clock());
        config.clientLimits().site().forEach(gatewayConfig::siteRateLimit);
        if (config.tlsCertFile().isPresent() && config.tlsKeyFile().isPresent()) {
            gatewayConfig.certificate(config.tlsCertFile().get(), config.tlsKeyFile().get());
        }
        config.publicHttpsPort().ifPresent(gatewayConfig::publicHttpsPort);
        gateway = Gateway.create(gatewayConfig.build());
        gateway.start(context.vertx()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        context.onStop("gateway", () -> gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        LOG.info("event=gateway.started https_port={} domain={} ca={}", gateway.httpsPort(), config.domain(),
                gateway.caCertificate().map(Path::toString).orElse("configured"));
        Urls urls = new Urls(config.domain(), config.publicHttpsPort().orElse(gateway.httpsPort()));

        // One set of templates for the daemon's builds: java17 keeps a standby build JVM between builds, ended on stop.
        Templates templates = Templates.builtIn(config.javaStandby());
        context.onStop("templates", templates::close);
        Builder builder = new Builder(builderConfig(config, data, templates));
        // Owners' secrets: encrypted in the store, mounted from there; sealed ones arrive with the commit.
        AuditLog audit = new AuditLog(context.database(), context.clock());
        SecretStore secrets = new SecretStore(context.database(), SecretKeyRing.loadOrCreate(config.secretKeysPath()),
                context.clock());
        SealingKey sealing = SealingKey.loadOrCreate(config.sealingKeyPath());
        LOG.info("event=secrets.ready key_ring={} active_key={} sealing_key={}", secrets.ring().file(),
                secrets.ring().activeKeyId(), sealing.fingerprint());
        if (config.runtime() == DriftlessConfig.RuntimeKind.KUBERNETES
                && (config.secretsKeyFile().isEmpty() || config.sealingKeyFile().isEmpty())) {
            LOG.warn("event=secrets.keys_not_shared message=\"the secret key ring or the sealing key is this replica's own "
                    + "(in its data folder): other replicas cannot read what it encrypts; mount one Secret on every replica "
                    + "and set DRIFTLESS_SECRETS_KEY_FILE and DRIFTLESS_SEALING_KEY_FILE\"");
        }
        RoutedRuntime routedRuntime = runtime(config, data, builder, routes, gateway, timeouts, secrets, context.registry());
        runtime = scaleToZero(config, routedRuntime, routes, context);
        context.onStop("runtime", runtime);

        StatusOutbox outbox = new StatusOutbox(context.database().dataSource(), context.clock());
        Optional<GitHubAccess> github = github(config);
        Optional<StatusSender> sender = github.map(access ->
                StatusSender.builder(context.database().dataSource(), access.publisher()).build());
        statusSender = sender;
        sender.ifPresent(s -> {
            s.start();
            context.onStop("status-sender", () -> s.stop(Duration.ofSeconds(30)));
        });
        CommitStatuses statuses = new AuditingStatuses(new OutboxStatuses(outbox, sender, github.isPresent(),
                config.statusMode() == DriftlessConfig.StatusMode.CHECKS), audit);
        context.intake().onRecorded(new IntakeAuditor(audit));
        AuditPruner pruner = new AuditPruner(audit, config.auditRetention());
        pruner.start(AuditPruner.PERIOD);
        context.onStop("audit-pruner", pruner);
        // Owners outside DRIFTLESS_ALLOWED_OWNERS learn why on their commit, as OpenFaaS Cloud's CUSTOMERS did.
        OwnerPolicy policy = config.allowedOwners().isEmpty() ? OwnerPolicy.allowAll() : OwnerPolicy.allowOnly(config.allowedOwners());
        context.intake().onRefusedPush((tx, push) -> {
            CommitStatus refusal = policy.refusal(push.repository().owner(), push.repository().name(), push.after(),
                    push.branch().orElseThrow(), context.clock().millis(), push.installationId().orElse(null));
            if (refusal != null) {
                outbox.enqueue(tx, github.isPresent() ? refusal : CommitStatus.builder().repository(refusal.owner(), refusal.repo())
                        .commit(refusal.sha(), refusal.branch(), refusal.commitSequence()).stack()
                        .state(refusal.state()).description(refusal.description()).local().build());
                sender.ifPresent(StatusSender::wakeUp);
            }
        });

        notifications = Notifications.start(context, secrets, audit);
        CommitBuilder commits = notifications.readingRepositoryFile(
                new SealedSecretImporter(secrets, sealing, audit).around(builder::build));
        reconciler = new Reconciler(context.database(), commits, runtime, statuses, new RepositoryHeads(), urls,
                context.clock(), notifications.events());
        CheckoutTokens tokens = github.<CheckoutTokens>map(access -> installation ->
                Optional.of(access.repositoryToken(installation.orElse(null)))).orElse(CheckoutTokens.none());
        ReconcileJobs jobs = new ReconcileJobs(context.database(), reconciler, tokens, config.trackedBranch(),
                config::ownerAllowed);
        context.jobs().register(JobKind.RECONCILE, jobs.reconcile());
        // A PR's commit is not yet the owner's word: previews build without importing its sealed secrets.
        previews = new Previews(context.database(), builder::build, runtime, statuses, urls, reconciler,
                config.previews().perOwner(), context.clock())
                .withImageRemover(builder::removeLocalImages);
        if (config.previews().comment() && github.isPresent()) {
            PreviewComments comments = new PreviewComments(context.database(), github.get().comments(), context.clock());
            previews.withListener(comments);
            comments.start();
            context.onStop("preview-comments", comments);
        }
        context.jobs().register(JobKind.GC, jobs.gc(previews));
        context.jobs().register(JobKind.PREVIEW, jobs.preview(previews));
        RepositoryJobs repositoryJobs = new RepositoryJobs(context.database(), reconciler);
        context.jobs().register(JobKind.ROLLBACK, repositoryJobs.rollback());
        context.jobs().register(JobKind.SUSPEND, repositoryJobs.suspend());
        if (config.runtime() == DriftlessConfig.RuntimeKind.KUBERNETES) {
            RouteFollower follower = new RouteFollower(reconciler, previews, routedRuntime);
            follower.start(RouteFollower.INTERVAL);
            context.onStop("route-follower", follower);
        }

        Leadership leadership = leadership(config, context);
        Resync resync = new Resync(context.database(), context.queue(), config.trackedBranch(), config.resyncInterval(),
                leadership, () -> { });
        resync.start();
        context.onStop("resync", resync);

        // Routes shared by both ports: git endpoint, badges, dashboard and API.
        WorkerExecutor gitPool = context.vertx().createSharedWorkerExecutor("driftless-git", 4);
        context.onStop("git-pool", gitPool::close);
        GitHttpHandler git = GitHttpHandler.builder()
                .mountPath("/git")
                .repositoriesRoot(data.resolve("git"))
                .authenticator(context.tokens())
                .sink(context.intake())
                .worker(gitPool)
                // What is deployed is not rewritten: the tracked branch, whatever it is, besides the default main.
                .protectedBranches(config.trackedBranch().map(Set::of).orElse(Set.of()))
                .build();
        AdminToken admin = AdminToken.loadOrCreate(data, System.out);
        TokenVerifier verifier = token -> {
            if (admin.matches(token)) {
                return Optional.of(new Principal("admin", true, Set.of()));
            }
            return context.tokens().ownerOf(token).map(owner -> new Principal(owner, false, Set.of(owner)));
        };
        StoreDashboardData dashboardData = new StoreDashboardData(context.database(), runtime,
                traffic(), urls, commitLinks(context, config), context.queue(), context.intake()::wakeWorkers, audit, secrets)
                .withNotifications(new dev.driftless.reconciler.notify.NotificationsDashboard(notifications.changes()));
        Function<Principal, List<String>> visibleOwners =
                principal -> principal.admin() ? dashboardData.owners() : List.copyOf(principal.owners());
        // Sessions in the store: shared by the replicas, kept across restarts; each login goes to the audit trail.
        SessionStore sessions = new AuditingSessions(new StoreSessions(context.database(), context.clock()), audit);
        Dashboard dashboard = new Dashboard(dashboardData, verifier, visibleOwners, oauth(config, urls), sessions);
        BadgeHandler badges = BadgeHandler.create(context.vertx(), outbox);

        Router http = context.router();
        ApiAuth apiAuth = new ApiAuth(context.vertx(), verifier, context.blockingPool(), context.metrics());
        // Before the dashboard: the audit recorders look at rollback and suspend requests first.
        AuditRoutes auditRoutes = new AuditRoutes(audit, context.database(), apiAuth, verifier, sessions,
                context.vertx(), context.blockingPool());
        auditRoutes.mount(http);
        auditRoutes.mount(site);
        http.route("/git/*").handler(git);
        badges.mount(http);
        dashboard.mount(context.vertx(), http);

        site.route("/git/*").handler(git);
        badges.mount(site);
        dashboard.mount(context.vertx(), site);

        SecretRoutes secretRoutes = new SecretRoutes(secrets, sealing, audit, apiAuth);
        secretRoutes.mount(http);
        secretRoutes.mount(site);
        notifications.mount(apiAuth, http, site);

        // Functions that served before a restart serve again: the local runtime starts them, Kubernetes writes nothing.
        Thread restore = new Thread(() -> {
            try {
                int started = reconciler.restore();
                int previewsStarted = previews.restore();
                LOG.info("event=restore started={} previews={}", started, previewsStarted);
            } catch (Exception e) {
                LOG.error("event=restore_failed error=\"{}\"", e.toString());
            }
        }, "driftless-restore");
        restore.setDaemon(true);
        restore.start();
    }

    /** The reconciler, once configured: for the demo and tests in this process. */
    /** Pull request previews (after start). */
    public Previews previews() {
        return previews;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    /** The runtime the reconciler deploys to (with scale to zero around the local one). */
    public FunctionRuntime runtime() {
        return runtime;
    }

    /** Notifications (after start): tests in this process reach the sender. */
    public Notifications notifications() {
        return notifications;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The commit-status sender, when GitHub is configured: tests in this process wait for its passes. */
    public Optional<StatusSender> statusSender() {
        return statusSender;
    }

    /** "Sign in with GitHub" on the dashboard, when the App's OAuth client is configured. */
    private static Optional<GitHubOAuth> oauth(DriftlessConfig config, Urls urls) {
        if (config.githubOAuthClientId().isEmpty() || config.githubOAuthClientSecret().isEmpty()) {
            return Optional.empty();
        }
        URI callback = URI.create(urls.dashboard("x").replaceFirst("/dashboard/x$", "") + GitHubOAuth.CALLBACK_PATH);
        return Optional.of(new GitHubOAuth(config.githubOAuthClientId().get(),
                config.githubOAuthClientSecret().get().reveal(), config.githubWebUrl(), config.githubApiUrl(), callback));
    }

    /** Commits of repositories that came from GitHub link to GitHub's commit page. */
    private static Function<String, Optional<String>> commitLinks(DaemonContext context, DriftlessConfig config) {
        TrackedRepositories repositories = new TrackedRepositories();
        String web = config.githubWebUrl().toString().replaceAll("/+$", "");
        return ownerRepo -> {
            String[] parts = ownerRepo.split("/", 2);
            try {
                return context.database().inTransaction(tx -> repositories.find(tx, parts[0], parts[1]))
                        .filter(TrackedRepositories.Tracked::fromGitHub)
                        .map(repo -> web + "/" + repo.owner() + "/" + repo.name() + "/commit/");
            } catch (java.sql.SQLException e) {
                return Optional.empty();
            }
        };
    }

    private TrafficSource traffic() {
        return (owner, function, window) -> {
            Gateway current = gateway;
            if (current == null || !FunctionAddress.isLabel(owner) || !FunctionAddress.isLabel(function)) {
                return Views.Traffic.none();
            }
            FunctionTraffic.Summary summary = current.traffic().traffic(new FunctionAddress(owner, function), window);
            return new Views.Traffic(summary.requests(), summary.errors(), summary.p50Millis(), summary.p90Millis(),
                    summary.p99Millis());
        };
    }

    private static BuilderConfig builderConfig(DriftlessConfig config, Path data, Templates templates) {
        BuilderConfig.Builder builder = BuilderConfig.builder()
                .workRoot(data.resolve("work"))
                .cacheRoot(data.resolve("cache"))
                .templates(templates.all())
                .baseMode(config.runtime() == DriftlessConfig.RuntimeKind.KUBERNETES
                        ? BuilderConfig.BaseMode.CLUSTER : BuilderConfig.BaseMode.EMBEDDED);
        config.clusterBaseImages().forEach(builder::clusterBaseImage);
        if (config.registry().isPresent()) {
            builder.registry(config.registry().get(), config.registryInsecure());
            builder.registryCredentials(registryCredentials(config));
        } else {
            builder.localImageStore(data.resolve("images"));
        }
        return builder.build();
    }

    /** The operator's login for the registry, then a Docker config file, then the one at its usual place. */
    static RegistryCredentials registryCredentials(DriftlessConfig config) {
        RegistryCredentials.Builder credentials = RegistryCredentials.builder();
        if (config.registryUsername().isPresent() && config.registryPassword().isPresent()) {
            credentials.login(config.registry().orElseThrow(), config.registryUsername().get(),
                    config.registryPassword().get().reveal());
        }
        config.registryDockerConfig().ifPresent(credentials::dockerConfig);
        return credentials.build();
    }

    private static RoutedRuntime runtime(DriftlessConfig config, Path data, Builder builder, InMemoryRouteTable routes,
                                           Gateway gateway, FunctionTimeouts timeouts, SecretStore secrets,
                                           io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
        if (config.runtime() == DriftlessConfig.RuntimeKind.KUBERNETES) {
            // Secrets from the encrypted store become Secrets in fn-<owner> before each rollout. The informers list
            // once before the daemon goes on (the first resync reads from their cache); closed with the runtime.
            KubernetesRuntime kubernetes = KubernetesRuntime.connect(config.kubernetes())
                    .withSecrets(secrets.values()::read)
                    .start();
            return new RoutedRuntime(kubernetes, Optional.of(kubernetes::endpoint), routes, gateway::coverOwnerHost, timeouts);
        }
        LocalRuntimeSettings settings = LocalRuntimeSettings.defaults(data).withSecrets(secrets.values())
                .withEgress(config.functionEgress()).withNetwork(config.functionNetwork());
        // LocalRuntime says once, loudly, when it cannot sandbox or wall off the network.
        LocalRuntime local = new LocalRuntime(settings, builder.imageSource(), routes);
        // Roots kept for sleeping functions take disk too: shown apart from those of running instances.
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("driftless_image_roots_bytes")
                .help("Disk taken by unpacked image roots of the local runtime, by what keeps them (running, asleep)")
                .labelNames("kept_for")
                .callback(callback -> {
                    LocalRuntime.RootsUsage usage = local.rootsUsage();
                    callback.call(usage.runningBytes(), "running");
                    callback.call(usage.asleepBytes(), "asleep");
                })
                .register(registry);
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("driftless_image_roots")
                .help("Unpacked image roots of the local runtime, by what keeps them (running, asleep)")
                .labelNames("kept_for")
                .callback(callback -> {
                    LocalRuntime.RootsUsage usage = local.rootsUsage();
                    callback.call(usage.runningRoots(), "running");
                    callback.call(usage.asleepRoots(), "asleep");
                })
                .register(registry);
        return new RoutedRuntime(local, Optional.empty(), routes, gateway::coverOwnerHost, timeouts);
    }

    /**
     * Idle functions stop and the gateway's first request wakes them: the local runtime stops the instance, the
     * Kubernetes runtime scales the Deployment to 0. The idle clock is this replica's traffic, so on Kubernetes it
     * is meant for one daemon replica (README "Scale to zero").
     */
    private static FunctionRuntime scaleToZero(DriftlessConfig config, RoutedRuntime runtime, InMemoryRouteTable routes,
                                               DaemonContext context) {
        ScaleToZero scaling = new ScaleToZero(runtime, ScaleToZero.Activity.of(routes),
                new ScaleToZero.Policy(config.scaleToZeroByDefault(), config.scaleToZeroIdle()), context.registry());
        scaling.start(ScaleToZero.CHECK_INTERVAL);
        return scaling;
    }

    /**
     * Who runs the periodic resync: on Kubernetes the replica holding the Lease, locally the one process.
     * Registered before the resync, so it is closed after it: the Lease is released once no resync can start.
     */
    private static Leadership leadership(DriftlessConfig config, DaemonContext context) {
        Leadership leadership = Leadership.always();
        if (config.runtime() == DriftlessConfig.RuntimeKind.KUBERNETES) {
            LeaseLeadership lease = LeaseLeadership.connect();
            lease.start();
            context.onStop("lease", lease);
            leadership = lease;
        }
        context.metrics().leadership(leadership::isLeader);
        return leadership;
    }

    private static Optional<GitHubAccess> github(DriftlessConfig config) throws Exception {
        GitHubCredentials credentials;
        if (config.githubAppId().isPresent() && config.githubAppKeyFile().isPresent()) {
            credentials = GitHubCredentials.app(config.githubAppId().get(), GitHubAppKey.fromPem(config.githubAppKeyFile().get()));
        } else if (config.githubToken().isPresent()) {
            credentials = GitHubCredentials.personalAccessToken(config.githubToken().map(Secret::reveal).orElseThrow());
        } else {
            return Optional.empty();
        }
        return Optional.of(GitHubAccess.create(GitHubConfig.builder()
                .apiBaseUrl(config.githubApiUrl())
                .credentials(credentials)
                .mode(config.statusMode() == DriftlessConfig.StatusMode.CHECKS
                        ? StatusPublisher.Mode.CHECK_RUNS : StatusPublisher.Mode.COMMIT_STATUSES)
                .build()));
    }
}
