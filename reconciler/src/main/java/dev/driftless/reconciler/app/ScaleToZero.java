package dev.driftless.reconciler.app;

import dev.driftless.builder.StackDuration;
import dev.driftless.dashboard.Views;
import dev.driftless.reconciler.dashboard.ScaleToZeroSource;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.gateway.Waker;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Scale to zero, as OpenFaaS' {@code com.openfaas.scale.zero} label asks: a function idle for its
 * {@code com.openfaas.scale.zero-duration} (or the default) is stopped, and the gateway's first request
 * for it wakes it ({@link Waker}); concurrent first requests share one start.
 *
 * <p>A decorator of the runtime, so the reconciler sees a sleeping function as deployed: a resync with
 * the same desired state is {@code UNCHANGED} and does not wake it, a push with a new version deploys it
 * (and it sleeps again after the idle period), a prune removes it. Sleep: mark asleep, unroute (new requests
 * take the wake path), wait for requests in flight to finish, then stop the instance through
 * {@link FunctionRuntime#scaleToZero}, which lets the runtime keep what a wake would otherwise redo. The sleeping set is
 * in memory: after a restart every function starts once, then sleeps again when idle.
 */
final class ScaleToZero implements FunctionRuntime, Waker, ScaleToZeroSource {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleToZero.class);
    static final String LABEL = "com.openfaas.scale.zero";
    static final String DURATION_LABEL = "com.openfaas.scale.zero-duration";
    /** How often idle functions are looked for; a pass reads two in-memory maps. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    /** Whether functions sleep without the label, and after how long by default. */
    record Policy(boolean enabledByDefault, Duration defaultIdle) {
        static Policy off() {
            return new Policy(false, Duration.ofMinutes(15));
        }
    }

    /** What the gateway saw of a function's traffic: idling is measured from it. */
    interface Activity {
        /** When a request last reached the function ({@link System#nanoTime()} scale), if ever. */
        Optional<Long> lastRequestNanos(FunctionAddress address);

        /** Requests in flight to it now. */
        int inFlight(FunctionAddress address);

        static Activity of(InMemoryRouteTable routes) {
            return new Activity() {
                @Override
                public Optional<Long> lastRequestNanos(FunctionAddress address) {
                    return routes.lastRequestNanos(address);
                }

                @Override
                public int inFlight(FunctionAddress address) {
                    return routes.inFlight(address);
                }
            };
        }
    }

    private final FunctionRuntime delegate;
    private final Activity routes;
    private final Policy policy;
    private final LongSupplier nanoClock;
    private final Map<FunctionAddress, Awake> awake = new ConcurrentHashMap<>();
    private final Map<FunctionAddress, FunctionDeployment> asleep = new ConcurrentHashMap<>();
    private final Map<FunctionAddress, CompletableFuture<Void>> waking = new ConcurrentHashMap<>();
    private final Map<FunctionAddress, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ExecutorService wakers = Executors.newCachedThreadPool(daemon("driftless-wake"));
    private final ScheduledExecutorService idler = Executors.newSingleThreadScheduledExecutor(daemon("driftless-idler"));
    private final Counter wakes;
    private final Histogram wakeSeconds;
    private final Counter sleeps;

    /** Wakes of one function since the daemon started, for its dashboard page. */
    private record WakeStats(long started, long failed, double totalSeconds, double lastSeconds) {
        static final WakeStats NONE = new WakeStats(0, 0, 0, 0);

        WakeStats plusStarted(double seconds) {
            return new WakeStats(started + 1, failed, totalSeconds + seconds, seconds);
        }

        WakeStats plusFailed() {
            return new WakeStats(started, failed + 1, totalSeconds, lastSeconds);
        }
    }

    private final Map<FunctionAddress, WakeStats> wakeStats = new ConcurrentHashMap<>();

    /** A function that may sleep, with when it last became ready (idling counts from there too). */
    private record Awake(FunctionDeployment deployment, Duration idle, long readyAtNanos) {
    }

    ScaleToZero(FunctionRuntime delegate, Activity routes, Policy policy, PrometheusRegistry registry) {
        this(delegate, routes, policy, registry, System::nanoTime);
    }

    ScaleToZero(FunctionRuntime delegate, Activity routes, Policy policy, PrometheusRegistry registry,
                LongSupplier nanoClock) {
        this.delegate = delegate;
        this.routes = routes;
        this.policy = policy;
        this.nanoClock = nanoClock;
        this.wakes = Counter.builder().name("driftless_function_wakes_total")
                .help("Starts of functions scaled to zero, by the first request after idling, and how they ended")
                .labelNames("owner", "function", "result").register(registry);
        this.wakeSeconds = Histogram.builder().name("driftless_function_wake_seconds")
                .help("From the first request for a sleeping function to its instance serving")
                .labelNames("owner", "function")
                .classicUpperBounds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
                .register(registry);
        this.sleeps = Counter.builder().name("driftless_function_sleeps_total")
                .help("Functions stopped after their idle period (scale to zero)")
                .labelNames("owner", "function").register(registry);
    }

    /** Checks for idle functions every {@code interval}. */
    void start(Duration interval) {
        long millis = Math.max(100, interval.toMillis());
        idler.scheduleWithFixedDelay(this::sleepIdle, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The idle period of a deployment, when it may sleep at all. */
    Optional<Duration> idlePeriod(FunctionDeployment deployment) {
        String flag = deployment.labels().get(LABEL);
        boolean enabled = flag == null ? policy.enabledByDefault() : flag.strip().equalsIgnoreCase("true");
        if (!enabled) {
            return Optional.empty();
        }
        String duration = deployment.labels().get(DURATION_LABEL);
        if (duration == null) {
            return Optional.of(policy.defaultIdle());
        }
        Optional<Duration> parsed = StackDuration.positive(duration);
        if (parsed.isEmpty()) {
            LOG.warn("event=scale_to_zero.bad_duration owner={} function={} value=\"{}\" using={}", deployment.owner(),
                    deployment.function(), duration, policy.defaultIdle());
        }
        return Optional.of(parsed.orElse(policy.defaultIdle()));
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public RolloutResult deploy(FunctionDeployment deployment) throws InterruptedException {
        if (!FunctionAddress.isLabel(deployment.owner()) || !FunctionAddress.isLabel(deployment.function())) {
            return delegate.deploy(deployment);
        }
        FunctionAddress address = new FunctionAddress(deployment.owner(), deployment.function());
        ReentrantLock lock = lock(address);
        lock.lockInterruptibly();
        try {
            FunctionDeployment sleeping = asleep.get(address);
            Optional<Duration> idle = idlePeriod(deployment);
            if (deployment.equals(sleeping) && idle.isPresent()) {
                return RolloutResult.unchanged(); // the desired version, just not running: a resync does not wake it
            }
            RolloutResult result = delegate.deploy(deployment);
            if (!result.failed()) {
                asleep.remove(address);
                track(address, deployment, idle);
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    private void track(FunctionAddress address, FunctionDeployment deployment, Optional<Duration> idle) {
        if (idle.isPresent()) {
            awake.put(address, new Awake(deployment, idle.get(), nanoClock.getAsLong()));
        } else {
            awake.remove(address);
        }
    }

    @Override
    public Optional<CompletionStage<Void>> wake(FunctionAddress address) {
        if (!asleep.containsKey(address)) {
            return Optional.empty();
        }
        CompletableFuture<Void> start = waking.computeIfAbsent(address, a -> {
            CompletableFuture<Void> future = new CompletableFuture<>();
            long asked = nanoClock.getAsLong();
            wakers.execute(() -> {
                try {
                    wakeNow(address, asked);
                    future.complete(null);
                } catch (Throwable e) {
                    future.completeExceptionally(e);
                } finally {
                    waking.remove(address, future);
                }
            });
            return future;
        });
        return Optional.of(start);
    }

    private void wakeNow(FunctionAddress address, long askedNanos) throws InterruptedException {
        ReentrantLock lock = lock(address);
        lock.lockInterruptibly();
        try {
            FunctionDeployment deployment = asleep.get(address);
            if (deployment == null) {
                return; // woken meanwhile (a push deployed it)
            }
            RolloutResult result = delegate.deploy(deployment);
            if (result.failed()) {
                wakes.labelValues(address.owner(), address.function(), "failed").inc();
                wakeStats.merge(address, WakeStats.NONE.plusFailed(), (a, b) -> a.plusFailed());
                LOG.warn("event=wake_failed owner={} function={} reason={} message=\"{}\"", address.owner(),
                        address.function(), result.reason(), result.message());
                throw new IllegalStateException(result.reason() + ": " + result.message());
            }
            asleep.remove(address);
            track(address, deployment, idlePeriod(deployment));
            double seconds = (nanoClock.getAsLong() - askedNanos) / 1e9;
            wakes.labelValues(address.owner(), address.function(), "started").inc();
            wakeSeconds.labelValues(address.owner(), address.function()).observe(seconds);
            wakeStats.merge(address, WakeStats.NONE.plusStarted(seconds), (a, b) -> a.plusStarted(seconds));
            LOG.info("event=woken owner={} function={} seconds={}", address.owner(), address.function(),
                    String.format(Locale.ROOT, "%.3f", seconds));
        } finally {
            lock.unlock();
        }
    }

    /** One pass: every function idle past its period, with nothing in flight, goes to sleep. */
    void sleepIdle() {
        long now = nanoClock.getAsLong();
        for (Map.Entry<FunctionAddress, Awake> entry : Map.copyOf(awake).entrySet()) {
            FunctionAddress address = entry.getKey();
            Awake state = entry.getValue();
            long last = Math.max(state.readyAtNanos(), routes.lastRequestNanos(address).orElse(Long.MIN_VALUE));
            if (now - last < state.idle().toNanos() || routes.inFlight(address) > 0) {
                continue;
            }
            try {
                sleep(address, state);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("event=sleep_failed owner={} function={} error=\"{}\"", address.owner(), address.function(),
                        e.toString());
            }
        }
    }

    private void sleep(FunctionAddress address, Awake state) throws InterruptedException {
        ReentrantLock lock = lock(address);
        if (!lock.tryLock()) {
            return; // a rollout or a wake is running: not idle
        }
        try {
            if (!state.equals(awake.get(address))) {
                return; // redeployed since the pass began
            }
            long last = Math.max(state.readyAtNanos(), routes.lastRequestNanos(address).orElse(Long.MIN_VALUE));
            if (nanoClock.getAsLong() - last < state.idle().toNanos()) {
                return;
            }
            FunctionDeployment deployment = state.deployment();
            // Asleep first, so a request that finds no route from here on takes the wake path.
            asleep.put(address, deployment);
            awake.remove(address);
            // The runtime keeps what it can (the local one: unpacked root, launch plan) so a wake only starts it.
            delegate.scaleToZero(deployment);
            sleeps.labelValues(address.owner(), address.function()).inc();
            LOG.info("event=scaled_to_zero owner={} function={} idle={}", address.owner(), address.function(),
                    state.idle());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Views.ScaleToZeroView> scaleToZero(String owner, String function) {
        if (!FunctionAddress.isLabel(owner) || !FunctionAddress.isLabel(function)) {
            return Optional.empty();
        }
        FunctionAddress address = new FunctionAddress(owner, function);
        FunctionDeployment sleeping = asleep.get(address);
        Awake state = awake.get(address);
        Optional<Duration> idle = sleeping != null ? idlePeriod(sleeping)
                : state != null ? Optional.of(state.idle()) : Optional.empty();
        if (idle.isEmpty()) {
            return Optional.empty();
        }
        WakeStats stats = wakeStats.getOrDefault(address, WakeStats.NONE);
        return Optional.of(new Views.ScaleToZeroView(sleeping != null, idle.get(), stats.started() + stats.failed(),
                stats.failed(),
                stats.started() == 0 ? Optional.empty() : Optional.of(stats.lastSeconds() * 1000),
                stats.started() == 0 ? Optional.empty() : Optional.of(stats.totalSeconds() * 1000 / stats.started())));
    }

    /** Whether the function is scaled to zero now. */
    boolean asleep(String owner, String function) {
        return FunctionAddress.isLabel(owner) && FunctionAddress.isLabel(function)
                && asleep.containsKey(new FunctionAddress(owner, function));
    }

    @Override
    public List<DeployedFunction> list(String owner, String repository) {
        return withSleeping(delegate.list(owner, repository),
                d -> d.owner().equals(owner) && d.repository().equals(repository));
    }

    @Override
    public List<DeployedFunction> listOwner(String owner) {
        return withSleeping(delegate.listOwner(owner), d -> d.owner().equals(owner));
    }

    /**
     * What the runtime lists, with each sleeping function listed once as this decorator recorded it: a runtime
     * that keeps a function at zero lists it itself (with 0 instances), one that removed it does not.
     */
    private List<DeployedFunction> withSleeping(List<DeployedFunction> listed,
                                                java.util.function.Predicate<FunctionDeployment> wanted) {
        List<DeployedFunction> all = new ArrayList<>();
        for (DeployedFunction f : listed) {
            if (!(FunctionAddress.isLabel(f.owner()) && FunctionAddress.isLabel(f.function())
                    && asleep.containsKey(new FunctionAddress(f.owner(), f.function())))) {
                all.add(f);
            }
        }
        asleep.values().stream().filter(wanted).forEach(d -> all.add(sleeping(d)));
        return List.copyOf(all);
    }

    private static DeployedFunction sleeping(FunctionDeployment d) {
        return new DeployedFunction(d.owner(), d.repository(), d.function(), d.image(), d.commit(), d.release(), 0, 0);
    }

    @Override
    public void remove(String owner, String repository, String function) throws InterruptedException {
        if (FunctionAddress.isLabel(owner) && FunctionAddress.isLabel(function)) {
            FunctionAddress address = new FunctionAddress(owner, function);
            ReentrantLock lock = lock(address);
            lock.lockInterruptibly();
            try {
                FunctionDeployment sleeping = asleep.get(address);
                if (sleeping != null && sleeping.repository().equals(repository)) {
                    asleep.remove(address);
                }
                Awake state = awake.get(address);
                if (state != null && state.deployment().repository().equals(repository)) {
                    awake.remove(address);
                }
                if (sleeping != null || state != null) {
                    wakeStats.remove(address);
                }
                delegate.remove(owner, repository, function);
            } finally {
                lock.unlock();
            }
            return;
        }
        delegate.remove(owner, repository, function);
    }

    @Override
    public List<String> recentLogs(String owner, String function, int maxLines) {
        return delegate.recentLogs(owner, function, maxLines);
    }

    @Override
    public void close() {
        idler.shutdownNow();
        wakers.shutdownNow();
        delegate.close();
    }

    private ReentrantLock lock(FunctionAddress address) {
        return locks.computeIfAbsent(address, a -> new ReentrantLock());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
