package dev.driftless.runtime.local;

import dev.driftless.builder.ImageContents;
import dev.driftless.builder.ImageRef;
import dev.driftless.builder.ImageSource;
import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.RouteTable;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import io.vertx.core.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded runtime: runs the very image the builder made as a sandboxed process on a loopback port, and
 * routes the gateway to it.
 *
 * <p>{@link #deploy} unpacks the image by digest, starts the new instance, waits for {@code GET /_/health},
 * switches the route, drains the old instance and stops it; a new version that never gets healthy is stopped
 * and the old one keeps serving. Deploys of one function are serialized, different functions deploy in
 * parallel. Crashed instances restart with backoff. State is in memory: after a daemon restart nothing runs
 * until the reconciler deploys the serving releases again ({@code Reconciler.restore} or {@link #restore}).
 *
 * <p>All methods block (processes, HTTP health checks, draining); call them on worker threads, never on a
 * Vert.x event loop.
 */
public final class LocalRuntime implements FunctionRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRuntime.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final int LAST_OUTPUT_LINES = 3;
    private static final int LAST_OUTPUT_CHARS = 400;

    private final LocalRuntimeSettings settings;
    private final ImageSource images;
    private final RouteTable routes;
    private final ImageUnpacker unpacker;
    private final LaunchPlanner planner;
    private final Launcher launcher;
    private final Supervisor supervisor;
    private final ConcurrentMap<FunctionAddress, FunctionSlot> slots = new ConcurrentHashMap<>();
    /** Read side: a rollout that unpacks and starts; write side: deleting roots nobody runs. */
    private final ReentrantReadWriteLock rootsInUse = new ReentrantReadWriteLock();
    private final AtomicBoolean collectionWanted = new AtomicBoolean();
    /** Replaced instances still draining: their roots stay until they have stopped. */
    private final Set<FunctionSlot.Running> retiring = ConcurrentHashMap.newKeySet();
    private final ExecutorService retirements = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "local-runtime-retire");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    /**
     * @param settings where the data folder is, whether bubblewrap is used, time limits
     * @param images   reads the images the builder made (registry or local image store)
     * @param routes   the gateway's route table, switched on every rollout
     */
    public LocalRuntime(LocalRuntimeSettings settings, ImageSource images, RouteTable routes) {
        this(settings, images, routes, CgroupLimits.detect());
    }

    /** With {@code limits} as found (tests pass one that enforces nothing). */
    LocalRuntime(LocalRuntimeSettings settings, ImageSource images, RouteTable routes, CgroupLimits limits) {
        this.settings = settings;
        this.images = images;
        this.routes = routes;
        Path runtimeDir = settings.runtimeDirectory();
        this.unpacker = new ImageUnpacker(runtimeDir.resolve("roots"));
        Path secretsDir = runtimeDir.resolve("secrets");
        try {
            ImageUnpacker.deleteTree(secretsDir); // secret copies of a previous daemon run are stale
            unpacker.deleteLeftovers();
        } catch (IOException e) {
            LOG.warn("event=secrets_cleanup_failed folder={} error=\"{}\"", secretsDir, e.getMessage());
        }
        this.planner = new LaunchPlanner(secretsDir, settings.secrets());
        Sandbox sandbox = sandbox(settings);
        // Said loudly only once a function asks for limits that cannot be had (CgroupLimits.create).
        LOG.info("event=resource_limits enforced={} detail=\"{}\"", limits.limitsMemory() || limits.limitsCpu(),
                limits.describe());
        this.launcher = new Launcher(sandbox, limits, settings.healthTimeout(), settings.stopGrace(),
                settings.logLines());
        this.supervisor = new Supervisor(launcher, routes,
                new Backoff(settings.restartInitial(), settings.restartMax(), settings.healthyAfter()));
    }

    /**
     * Bubblewrap with a network namespace per instance where bubblewrap and pasta are installed. Whatever is
     * missing is said once, loudly, here: the daemon still runs its functions (and {@code /readyz} stays green),
     * but the owner of the machine must know that tenants are not walled off.
     */
    private static Sandbox sandbox(LocalRuntimeSettings settings) {
        if (settings.bubblewrap().isEmpty()) {
            LOG.warn("event=no_sandbox detail=\"bubblewrap (bwrap) is not installed: functions run as plain "
                    + "processes of the daemon's user, NOT sandboxed and NOT network-isolated: they can read what "
                    + "the daemon can read and reach every port on this machine's loopback (other functions, the "
                    + "daemon, databases); install the bubblewrap and passt packages\"");
            return new PlainProcess();
        }
        boolean root = PastaNetwork.runningAsRoot();
        Optional<Path> pasta = settings.pasta().filter(p -> PastaNetwork.usable(p, root));
        if (pasta.isEmpty()) {
            LOG.warn("event=no_network_isolation detail=\"pasta (package passt) is not installed"
                    + (root ? " or unshare is missing" : "") + " (or DRIFTLESS_FUNCTION_NETWORK=host): sandboxed functions share this machine's "
                    + "network and can reach every port on its loopback (other functions, the daemon, databases); "
                    + "install the passt package\"");
            return new Bubblewrap(settings.bubblewrap().get());
        }
        LOG.info("event=network_isolation pasta={} egress={} mode={}", pasta.get(),
                settings.egress().name().toLowerCase(java.util.Locale.ROOT), root ? "attach-as-root" : "pasta-parent");
        return new Bubblewrap(settings.bubblewrap().get(),
                Optional.of(new PastaNetwork(pasta.get(), settings.egress(), root)));
    }

    @Override
    public String kind() {
        return "local";
    }

    /**
     * How functions' {@code limits}/{@code requests} are enforced here: {@code cgroup v1 (memory, cpu)}, or
     * {@code not enforced: <why>} where the daemon may not create cgroups.
     */
    public String limitsEnforcement() {
        return launcher.limits().describe();
    }

    @Override
    public RolloutResult deploy(FunctionDeployment deployment) throws InterruptedException {
        refuseEventLoop();
        long began = System.nanoTime();
        if (!FunctionAddress.isLabel(deployment.owner()) || !FunctionAddress.isLabel(deployment.function())) {
            return failed(began, "InvalidName", "owner and function must be DNS-1123 labels: "
                    + deployment.owner() + "/" + deployment.function(), List.of());
        }
        FunctionAddress address = new FunctionAddress(deployment.owner(), deployment.function());
        FunctionSlot slot = slots.computeIfAbsent(address, FunctionSlot::new);
        RolloutResult result;
        slot.lock.lockInterruptibly();
        try {
            if (closed) {
                return failed(began, "RuntimeClosed", "the local runtime is shutting down", List.of());
            }
            FunctionSlot.Running old = slot.current();
            String specKey = specKey(deployment);
            if (old != null && old.specKey().equals(specKey) && old.instance().alive()) {
                // Same image and settings: only the record (commit, release) may differ, which starts nothing.
                slot.set(old.withRecord(deployment));
                return RolloutResult.unchanged();
            }
            FunctionSlot.Asleep asleep = slot.asleep();
            if (old == null && asleep != null) {
                if (asleep.specKey().equals(specKey)) {
                    return wake(slot, asleep, deployment, began); // its root (kept while asleep) is in use: no collection
                }
                slot.asleep(null); // another version: a rollout as usual; the kept root goes at the next collection
                LaunchPlanner.discard(asleep.launch());
            }
            rootsInUse.readLock().lockInterruptibly();
            try {
                result = rollOut(slot, old, deployment, specKey, began);
            } finally {
                rootsInUse.readLock().unlock();
            }
        } finally {
            slot.lock.unlock();
        }
        collectUnusedRoots();
        return result;
    }

    /**
     * Deletes unpacked roots that no instance runs, so that the disk does not fill with old releases (a
     * rollback unpacks its image again). Skipped while any rollout is between unpacking and starting its
     * instance: such a rollout holds the read side of {@link #rootsInUse}, and the next collection catches up.
     */
    private void collectUnusedRoots() {
        // Asked for while another collection runs: that one goes round again, so no request is lost.
        collectionWanted.set(true);
        while (collectionWanted.get() && rootsInUse.writeLock().tryLock()) {
            try {
                collectionWanted.set(false);
                deleteUnusedRoots();
            } finally {
                rootsInUse.writeLock().unlock();
            }
        }
    }

    /** Called with the write side of {@link #rootsInUse} held. */
    private void deleteUnusedRoots() {
        try {
            Set<Path> used = new HashSet<>();
            for (FunctionSlot slot : slots.values()) {
                FunctionSlot.Running running = slot.current();
                if (running != null) {
                    used.add(running.launch().root());
                }
                FunctionSlot.Asleep asleep = slot.asleep();
                if (asleep != null) {
                    used.add(asleep.launch().root()); // kept so that a wake only starts the process
                }
            }
            for (FunctionSlot.Running draining : retiring) {
                used.add(draining.launch().root());
            }
            for (Path root : unpacker.roots()) {
                if (!used.contains(root)) {
                    ImageUnpacker.deleteTree(root);
                    LOG.info("event=image_root_deleted root={}", root.getFileName());
                }
            }
        } catch (IOException e) {
            LOG.warn("event=image_root_cleanup_failed error=\"{}\"", e.getMessage());
        }
    }

    /**
     * Starts the serving releases again after a daemon start, up to four at a time (each function still
     * one at a time). Functions that already run as desired are left alone. Results are in input order.
     */
    public List<RolloutResult> restore(List<FunctionDeployment> serving) throws InterruptedException {
        refuseEventLoop();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(4, serving.size())), r -> {
            Thread t = new Thread(r, "local-runtime-restore");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RolloutResult>> futures = new ArrayList<>();
            for (FunctionDeployment deployment : serving) {
                futures.add(pool.submit(() -> deploy(deployment)));
            }
            List<RolloutResult> results = new ArrayList<>();
            for (Future<RolloutResult> future : futures) {
                try {
                    results.add(future.get());
                } catch (ExecutionException e) {
                    results.add(failed(System.nanoTime(), "StartFailed", String.valueOf(e.getCause()), List.of()));
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private RolloutResult rollOut(FunctionSlot slot, FunctionSlot.Running old, FunctionDeployment deployment,
                                  String specKey, long began) throws InterruptedException {
        ImageRef ref;
        try {
            ref = ImageRef.parse(deployment.image());
        } catch (IllegalArgumentException e) {
            return failed(began, "InvalidImage", e.getMessage(), List.of());
        }
        Launch launch;
        long read;
        long unpacked;
        try {
            ImageContents image = images.read(ref);
            read = System.nanoTime();
            Path root = unpack(image);
            unpacked = System.nanoTime();
            launch = planner.plan(image, root, deployment);
        } catch (DeployFailure e) {
            return failed(began, e.reason(), e.getMessage(), List.of());
        } catch (IOException e) {
            return failed(began, "ImageUnavailable", "cannot read image " + ref + ": " + e.getMessage(), List.of());
        }
        Launcher.Attempt attempt;
        int port;
        try {
            port = launcher.freePort();
            attempt = launcher.launch(launch, port, List.of());
        } catch (IOException e) {
            LaunchPlanner.discard(launch);
            LOG.warn("event=rollout_failed function={} release={} reason=StartFailed error=\"{}\"", slot.address,
                    deployment.release(), e.getMessage());
            return failed(began, "StartFailed", "cannot start " + slot.address + ": " + e.getMessage(), List.of());
        } catch (InterruptedException e) {
            LaunchPlanner.discard(launch);
            throw e;
        }
        if (!attempt.healthy()) {
            LaunchPlanner.discard(launch);
            return notHealthy(began, slot, deployment, ref, old, attempt);
        }
        Backend backend = new Backend(LOOPBACK, port, ref.digest());
        FunctionSlot.Running next = new FunctionSlot.Running(deployment, specKey, launch, attempt.instance(), backend);
        slot.set(next);
        slot.failedStart(null);
        slot.crashes.set(0);
        Optional<Backend> replaced = routes.route(slot.address, backend);
        supervisor.watch(slot, next);
        if (old != null) {
            retireLater(old, replaced.filter(b -> !b.equals(backend)).orElse(old.backend()));
        }
        String message = "release " + deployment.release() + " (" + ref.shortDigest() + ") serves " + slot.address
                + " on " + LOOPBACK + ":" + port + " via " + launcher.sandboxKind() + limitsNote(deployment)
                + (old == null ? "" : "; release " + old.deployment().release() + " stops once its requests are done");
        LOG.info("event=rolled_out function={} release={} image={} port={} pid={} read_ms={} unpack_ms={} spawn_ms={} "
                + "health_ms={}", slot.address, deployment.release(), ref.shortDigest(), port, attempt.instance().pid(),
                millis(read - began), millis(unpacked - read), attempt.spawn().toMillis(), attempt.health().toMillis());
        return new RolloutResult(RolloutResult.Outcome.ROLLED_OUT, "RolloutSucceeded", message, since(began), List.of());
    }

    /** What the function's limits came to, for its release's message; empty when it asks for none. */
    private String limitsNote(FunctionDeployment deployment) {
        FunctionDeployment.Resources r = deployment.resources();
        List<String> limits = new ArrayList<>();
        r.memoryLimitBytes().ifPresent(b -> limits.add("memory " + CgroupLimits.quantity(b)));
        r.cpuLimitMillis().ifPresent(m -> limits.add("cpu " + m + "m"));
        if (limits.isEmpty() && r.memoryRequestBytes().isEmpty() && r.cpuRequestMillis().isEmpty()) {
            return "";
        }
        Optional<String> missing = launcher.limits().notEnforced(r);
        return missing.map(why -> "; limits NOT enforced: " + why)
                .orElseGet(() -> limits.isEmpty() ? "" : ", limited to " + String.join(", ", limits));
    }

    /**
     * Starts a function that was scaled to zero from what was kept: same root, same launch plan (and secrets
     * folder), a fresh port. No image read, no unpack: the wake is the process's own start and its first
     * health answer. One that does not get healthy stays asleep (with its pieces kept) and fails like a rollout.
     */
    private RolloutResult wake(FunctionSlot slot, FunctionSlot.Asleep asleep, FunctionDeployment deployment,
                               long began) throws InterruptedException {
        Launcher.Attempt attempt;
        int port;
        List<String> carried = new ArrayList<>(asleep.lastLines());
        carried.add("--- driftless: woken from zero ---");
        try {
            port = launcher.freePort();
            attempt = launcher.launch(asleep.launch(), port, carried);
        } catch (IOException e) {
            LOG.warn("event=wake_failed function={} release={} reason=StartFailed error=\"{}\"", slot.address,
                    deployment.release(), e.getMessage());
            return failed(began, "StartFailed", "cannot start " + slot.address + ": " + e.getMessage(), List.of());
        }
        ImageRef ref = ImageRef.parse(deployment.image());
        if (!attempt.healthy()) {
            return notHealthy(began, slot, deployment, ref, null, attempt);
        }
        Backend backend = new Backend(LOOPBACK, port, ref.digest());
        FunctionSlot.Running next = new FunctionSlot.Running(deployment, asleep.specKey(), asleep.launch(),
                attempt.instance(), backend);
        slot.asleep(null);
        slot.set(next);
        slot.failedStart(null);
        slot.crashes.set(0);
        routes.route(slot.address, backend);
        supervisor.watch(slot, next);
        LOG.info("event=woken function={} release={} port={} pid={} spawn_ms={} health_ms={}", slot.address,
                deployment.release(), port, attempt.instance().pid(), attempt.spawn().toMillis(),
                attempt.health().toMillis());
        return new RolloutResult(RolloutResult.Outcome.ROLLED_OUT, "Woken", "release " + deployment.release() + " ("
                + ref.shortDigest() + ") serves " + slot.address + " again on " + LOOPBACK + ":" + port
                + " (woken from zero: root kept)", since(began), List.of());
    }

    /**
     * Stops the function's instance once its requests are done, keeping its unpacked root and launch plan so
     * that {@link #deploy} of the same deployment only starts the process again. Listed meanwhile with
     * {@code ready = desired = 0}; {@link #remove} or a deploy of another version lets the root go.
     */
    @Override
    public void scaleToZero(FunctionDeployment deployment) throws InterruptedException {
        refuseEventLoop();
        String owner = deployment.owner();
        String repository = deployment.repository();
        String function = deployment.function();
        FunctionSlot slot = slotOf(owner, function);
        if (slot == null) {
            return;
        }
        slot.lock.lockInterruptibly();
        try {
            FunctionSlot.Running running = slot.current();
            if (running == null || !running.deployment().repository().equals(repository)) {
                return;
            }
            // Asleep before the process stops, so the root stays in use for every collection in between.
            slot.asleep(new FunctionSlot.Asleep(running.deployment(), running.specKey(), running.launch(),
                    running.instance().logs().last(settings.logLines())));
            slot.set(null);
            routes.unroute(slot.address);
            boolean drained = routes.awaitDrained(running.backend(), settings.drainTimeout());
            launcher.stop(running.instance());
            LOG.info("event=scaled_to_zero function={} repository={} drained={} root={}", slot.address, repository,
                    drained, running.launch().root().getFileName());
        } finally {
            slot.lock.unlock();
        }
    }

    private RolloutResult notHealthy(long began, FunctionSlot slot, FunctionDeployment deployment, ImageRef ref,
                                     FunctionSlot.Running old, Launcher.Attempt attempt) {
        Instance instance = attempt.instance();
        String keeps = old == null ? "nothing was serving before"
                : "release " + old.deployment().release() + " keeps serving";
        String reason;
        String what;
        Optional<String> killed = instance.death(Duration.ZERO); // Launcher.launch waited for it
        if (attempt.result() == HealthProbe.Result.EXITED && killed.isPresent()) {
            reason = "OOMKilled"; // as Kubernetes names it
            what = "was " + killed.get() + " before " + HealthProbe.PATH + " answered 200";
        } else if (attempt.result() == HealthProbe.Result.EXITED) {
            reason = "ProcessExited";
            what = "exited with code " + instance.exitCode() + " before " + HealthProbe.PATH + " answered 200";
        } else {
            reason = "HealthCheckTimeout";
            what = "did not answer 200 on " + HealthProbe.PATH + " within "
                    + launcher.healthTimeout().toSeconds() + " s" + killed.map(k -> " (a process of it was " + k + ")")
                    .orElse("");
        }
        List<String> lines = instance.logs().last(settings.logLines());
        slot.failedStart(new FunctionSlot.FailedStart(deployment.release(), what, lines));
        LOG.warn("event=rollout_failed owner={} function={} release={} reason={}", deployment.owner(),
                deployment.function(), deployment.release(), reason);
        return failed(began, reason, "release " + deployment.release() + " (" + ref.shortDigest() + ") " + what
                + lastOutput(lines) + "; " + keeps, lines);
    }

    /**
     * The last few lines a failed instance printed, for the release's reason and the commit status, which show
     * one sentence and no log: the end of a traceback ({@code ModuleNotFoundError: ...}) is what says why.
     */
    static String lastOutput(List<String> lines) {
        List<String> printed = lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (printed.isEmpty()) {
            return "; it printed nothing";
        }
        String tail = String.join(" | ", printed.subList(Math.max(0, printed.size() - LAST_OUTPUT_LINES), printed.size()));
        return "; last output: " + (tail.length() > LAST_OUTPUT_CHARS
                ? "…" + tail.substring(tail.length() - LAST_OUTPUT_CHARS) : tail);
    }

    /**
     * Drains and stops a replaced instance off the rollout's path, as a terminating pod: waiting here for its
     * longest request (up to the drain time-out) would hold up every other rollout of the owner.
     */
    private void retireLater(FunctionSlot.Running old, Backend drainFrom) {
        retiring.add(old);
        try {
            retirements.execute(() -> {
                try {
                    retire(old, drainFrom);
                } catch (InterruptedException e) {
                    launcher.stop(old.instance()); // closing: stop it without waiting for the drain
                    LaunchPlanner.discard(old.launch());
                } finally {
                    retiring.remove(old);
                    collectUnusedRoots();
                }
            });
        } catch (RejectedExecutionException e) {
            launcher.stop(old.instance()); // the runtime is closing
            LaunchPlanner.discard(old.launch());
            retiring.remove(old);
        }
    }

    /** Waits for the old backend's in-flight requests (logging a drain time-out), then stops its instance. */
    private void retire(FunctionSlot.Running old, Backend drainFrom) throws InterruptedException {
        boolean drained = routes.awaitDrained(drainFrom, settings.drainTimeout());
        if (!drained) {
            LOG.warn("event=drain_timeout backend={}:{} timeout_s={}", drainFrom.host(), drainFrom.port(),
                    settings.drainTimeout().toSeconds());
        }
        launcher.stop(old.instance());
        LaunchPlanner.discard(old.launch()); // each deploy plans its own launch (and secrets folder)
    }

    private Path unpack(ImageContents image) throws DeployFailure {
        try {
            return unpacker.unpack(image);
        } catch (IOException e) {
            throw new DeployFailure("InvalidImage", "cannot unpack image " + image.ref() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<DeployedFunction> list(String owner, String repository) {
        return select(d -> d.owner().equals(owner) && d.repository().equals(repository));
    }

    @Override
    public List<DeployedFunction> listOwner(String owner) {
        return select(d -> d.owner().equals(owner));
    }

    private List<DeployedFunction> select(Predicate<FunctionDeployment> filter) {
        List<DeployedFunction> result = new ArrayList<>();
        for (FunctionSlot slot : slots.values()) {
            FunctionSlot.Running running = slot.current();
            if (running != null && filter.test(running.deployment())) {
                FunctionDeployment d = running.deployment();
                result.add(new DeployedFunction(d.owner(), d.repository(), d.function(), d.image(), d.commit(),
                        d.release(), running.instance().alive() ? 1 : 0, 1));
                continue;
            }
            FunctionSlot.Asleep asleep = slot.asleep();
            if (running == null && asleep != null && filter.test(asleep.deployment())) {
                FunctionDeployment d = asleep.deployment();
                result.add(new DeployedFunction(d.owner(), d.repository(), d.function(), d.image(), d.commit(),
                        d.release(), 0, 0));
            }
        }
        result.sort(Comparator.comparing(DeployedFunction::repository).thenComparing(DeployedFunction::function));
        return result;
    }

    @Override
    public void remove(String owner, String repository, String function) throws InterruptedException {
        refuseEventLoop();
        FunctionSlot slot = slotOf(owner, function);
        if (slot == null) {
            return;
        }
        slot.lock.lockInterruptibly();
        try {
            FunctionSlot.Running running = slot.current();
            FunctionSlot.Asleep asleep = slot.asleep();
            if (running == null && asleep != null && asleep.deployment().repository().equals(repository)) {
                slot.asleep(null);
                slot.failedStart(null);
                LaunchPlanner.discard(asleep.launch());
                LOG.info("event=removed function={} repository={} asleep=true", slot.address, repository);
            } else if (running == null || !running.deployment().repository().equals(repository)) {
                return; // selection by the repository recorded at deploy, never by name alone
            } else {
                slot.set(null);
                slot.failedStart(null);
                routes.unroute(slot.address);
                boolean drained = routes.awaitDrained(running.backend(), settings.drainTimeout());
                launcher.stop(running.instance());
                LaunchPlanner.discard(running.launch());
                LOG.info("event=removed function={} repository={} drained={}", slot.address, repository, drained);
            }
        } finally {
            slot.lock.unlock();
        }
        collectUnusedRoots();
    }

    @Override
    public List<String> recentLogs(String owner, String function, int maxLines) {
        FunctionSlot slot = slotOf(owner, function);
        if (slot == null) {
            return List.of();
        }
        FunctionSlot.Running running = slot.current();
        FunctionSlot.FailedStart failure = slot.failedStart();
        FunctionSlot.Asleep asleep = slot.asleep();
        List<String> lines = new ArrayList<>(running != null ? running.instance().logs().last(maxLines)
                : asleep != null ? asleep.lastLines() : List.of());
        if (running == null && asleep != null) {
            lines.add("--- driftless: scaled to zero; the next request starts it ---");
        }
        if (failure != null) {
            // A release that never started has no instance any more; its output is what the owner needs to see.
            lines.add("--- driftless: release " + failure.release() + " " + failure.what() + "; its output: ---");
            lines.addAll(failure.lines());
        }
        return lines.size() <= maxLines ? lines : List.copyOf(lines.subList(lines.size() - maxLines, lines.size()));
    }

    /**
     * Unpacked image roots on disk and their size, split by what keeps them: a running (or draining) instance, or
     * only a function scaled to zero (kept so its wake only starts the process). Roots nothing keeps are deleted
     * after every rollout and removal, so they do not show here for long.
     *
     * @param runningRoots roots an instance runs from
     * @param asleepRoots  roots kept only for sleeping functions
     */
    public record RootsUsage(int runningRoots, long runningBytes, int asleepRoots, long asleepBytes) { }

    /** Sizes of roots measured once each (a root is never written after unpacking), by folder. */
    private final ConcurrentMap<Path, Long> rootBytes = new ConcurrentHashMap<>();

    /** What the unpacked roots take on disk now. Walks a root once, the first time it is asked about. */
    public RootsUsage rootsUsage() {
        Set<Path> running = new HashSet<>();
        Set<Path> asleep = new HashSet<>();
        for (FunctionSlot slot : slots.values()) {
            FunctionSlot.Running current = slot.current();
            if (current != null) {
                running.add(current.launch().root());
            }
            FunctionSlot.Asleep kept = slot.asleep();
            if (kept != null) {
                asleep.add(kept.launch().root());
            }
        }
        retiring.forEach(r -> running.add(r.launch().root()));
        asleep.removeAll(running);
        rootBytes.keySet().retainAll(union(running, asleep));
        return new RootsUsage(running.size(), bytes(running), asleep.size(), bytes(asleep));
    }

    private static Set<Path> union(Set<Path> a, Set<Path> b) {
        Set<Path> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private long bytes(Set<Path> roots) {
        long total = 0;
        for (Path root : roots) {
            total += rootBytes.computeIfAbsent(root, LocalRuntime::treeBytes);
        }
        return total;
    }

    /** Bytes of the regular files under {@code root} (links not followed); 0 for a root already gone. */
    private static long treeBytes(Path root) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(root)) {
            return files.filter(p -> java.nio.file.Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> {
                        try {
                            return java.nio.file.Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** The slot of a function, or null when there is none (a name that is no DNS label has none either). */
    private FunctionSlot slotOf(String owner, String function) {
        if (!FunctionAddress.isLabel(owner) || !FunctionAddress.isLabel(function)) {
            return null;
        }
        return slots.get(new FunctionAddress(owner, function));
    }

    /** How many processes this runtime has started (deploys and restarts); a deploy that changes nothing adds none. */
    long processesStarted() {
        return launcher.started();
    }

    /** The process id serving a function now, for tests that kill it. */
    Optional<Long> pid(String owner, String function) {
        FunctionSlot slot = slots.get(new FunctionAddress(owner, function));
        FunctionSlot.Running running = slot == null ? null : slot.current();
        return running == null ? Optional.empty() : Optional.of(running.instance().pid());
    }

    /** The cgroup of the instance serving a function now, for tests that read its limits. */
    Optional<CgroupLimits.Group> cgroup(String owner, String function) {
        FunctionSlot slot = slots.get(new FunctionAddress(owner, function));
        FunctionSlot.Running running = slot == null ? null : slot.current();
        return running == null ? Optional.empty() : running.instance().cgroup();
    }

    /** Stops restarting, unroutes every function and stops every instance (SIGTERM, then SIGKILL). */
    @Override
    public void close() {
        closed = true;
        supervisor.close();
        for (FunctionSlot slot : slots.values()) {
            FunctionSlot.Running running = slot.current();
            if (running != null) {
                routes.unroute(slot.address);
            }
        }
        launcher.close(); // stops every live instance, including ones a deploy is still health-checking
        retirements.shutdownNow(); // instances still draining were stopped just above
        for (FunctionSlot slot : slots.values()) {
            FunctionSlot.Running running = slot.current();
            if (running != null) {
                LaunchPlanner.discard(running.launch());
            }
            FunctionSlot.Asleep asleep = slot.asleep();
            if (asleep != null) {
                LaunchPlanner.discard(asleep.launch()); // its secrets copy; the root is reused by the next daemon run
            }
        }
    }

    /** What decides whether a running instance matches: the image digest, the environment, the secrets, the limits. */
    private static String specKey(FunctionDeployment d) {
        return d.image() + "\n" + new TreeMap<>(d.environment()) + "\n" + d.secrets().stream().sorted().toList()
                + "\n" + d.resources(); // new limits take a new instance (a new cgroup), as a changed pod spec does
    }

    private static RolloutResult failed(long began, String reason, String message, List<String> lines) {
        return new RolloutResult(RolloutResult.Outcome.FAILED, reason, message, since(began), lines);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static Duration since(long began) {
        return Duration.ofNanos(System.nanoTime() - began);
    }

    private static void refuseEventLoop() {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("the local runtime blocks: call it from a worker thread, not an event loop");
        }
    }
}
