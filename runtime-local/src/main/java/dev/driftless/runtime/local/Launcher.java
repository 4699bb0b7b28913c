package dev.driftless.runtime.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts instances and waits until they are healthy; an instance that does not get healthy is stopped
 * before this returns. Keeps every live instance so that closing the runtime stops all of them, including
 * one that is still being health-checked.
 *
 * <p>Every process is spawned from one long-lived thread: bubblewrap's {@code --die-with-parent} is
 * {@code PR_SET_PDEATHSIG}, which fires when the spawning <em>thread</em> ends, so a process started from a
 * short-lived worker (a restore pool, say) would be killed with it.
 */
final class Launcher {
    /**
     * A started instance and what its health check said; only a {@code HEALTHY} one is still running.
     *
     * @param spawn  from asking for the process to it running (sandbox and network namespace set up)
     * @param health from then to the health check's answer
     */
    record Attempt(Instance instance, HealthProbe.Result result, Duration spawn, Duration health) {
        boolean healthy() {
            return result == HealthProbe.Result.HEALTHY;
        }
    }

    /** How long a failed instance's last output may take to arrive after it stopped. */
    private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(2);

    private final Sandbox sandbox;
    private final CgroupLimits limits;
    private final HealthProbe probe = new HealthProbe();
    private final Duration healthTimeout;
    private final Duration stopGrace;
    private final int logLines;
    private final Set<Instance> live = ConcurrentHashMap.newKeySet();
    private final Set<Integer> reservedPorts = ConcurrentHashMap.newKeySet();
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "local-runtime-spawner");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong started = new AtomicLong();
    private volatile boolean closed;

    Launcher(Sandbox sandbox, Duration healthTimeout, Duration stopGrace, int logLines) {
        this(sandbox, CgroupLimits.none("not asked for"), healthTimeout, stopGrace, logLines);
    }

    Launcher(Sandbox sandbox, CgroupLimits limits, Duration healthTimeout, Duration stopGrace, int logLines) {
        this.sandbox = sandbox;
        this.limits = limits;
        this.healthTimeout = healthTimeout;
        this.stopGrace = stopGrace;
        this.logLines = logLines;
    }

    /** Starts {@code launch} on {@code port} and waits for its health check. */
    Attempt launch(Launch launch, int port, List<String> carriedLines) throws IOException, InterruptedException {
        if (closed) {
            reservedPorts.remove(port);
            throw new IOException("the local runtime is closed");
        }
        LogBuffer logs = new LogBuffer(logLines);
        carriedLines.forEach(logs::add);
        long began = System.nanoTime();
        Instance instance = spawn(launch, port, logs);
        long spawned = System.nanoTime();
        started.incrementAndGet();
        live.add(instance);
        instance.exited().thenRun(() -> {
            live.remove(instance);
            reservedPorts.remove(port);
        });
        if (closed) {
            stop(instance);
            throw new IOException("the local runtime is closed");
        }
        HealthProbe.Result result;
        try {
            result = probe.await(instance, healthTimeout);
        } catch (InterruptedException e) {
            stop(instance);
            throw e;
        }
        if (result == HealthProbe.Result.HEALTHY && !instance.alive()) {
            result = HealthProbe.Result.EXITED; // something else answered on its port
        }
        if (result != HealthProbe.Result.HEALTHY) {
            stop(instance);
            instance.awaitOutput(OUTPUT_DRAIN);
            instance.death(OUTPUT_DRAIN); // an out-of-memory kill is the reason the failure must name
        }
        return new Attempt(instance, result, Duration.ofNanos(spawned - began),
                Duration.ofNanos(System.nanoTime() - spawned));
    }

    private Instance spawn(Launch launch, int port, LogBuffer logs) throws IOException, InterruptedException {
        // Made here, before the process: it enters its cgroup before its command runs.
        Optional<CgroupLimits.Group> cgroup = limits.create(launch.name(), launch.resources());
        try {
            return spawner.submit(() -> Instance.start(sandbox, launch, port, logs, cgroup)).get();
        } catch (ExecutionException e) {
            reservedPorts.remove(port);
            cgroup.ifPresent(CgroupLimits.Group::removeWhenEmpty);
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start " + launch.name(), e.getCause());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            cgroup.ifPresent(CgroupLimits.Group::removeWhenEmpty);
            throw new IOException("the local runtime is closed", e);
        }
    }

    void stop(Instance instance) {
        instance.stop(stopGrace);
        live.remove(instance);
    }

    /** How many processes were started so far (the local runtime's "writes"). */
    long started() {
        return started.get();
    }

    Duration healthTimeout() {
        return healthTimeout;
    }

    String sandboxKind() {
        return sandbox.kind();
    }

    CgroupLimits limits() {
        return limits;
    }

    /** Refuses new launches, stops every live instance, then ends the spawning thread. */
    void close() {
        closed = true;
        // In parallel: a daemon shutdown waits about one stop grace period, not one per function.
        List<Thread> stoppers = new java.util.ArrayList<>();
        for (Instance instance : List.copyOf(live)) {
            Thread stopper = new Thread(() -> stop(instance), "driftless-stop-" + stoppers.size());
            stopper.setDaemon(true);
            stopper.start();
            stoppers.add(stopper);
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        spawner.shutdown();
    }

    /**
     * A loopback port nobody listens on now, and that no other instance of this runtime was given and still
     * holds (two deploys in parallel must not get the same port). The instance binds it a moment later.
     */
    int freePort() throws IOException {
        for (int tries = 0; tries < 100; tries++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int port = socket.getLocalPort();
                if (reservedPorts.add(port)) {
                    return port;
                }
            }
        }
        throw new IOException("no free loopback port");
    }

    /** {@code port} again if it is free (a restarted instance keeps its route), else a fresh one. */
    int sameOrFreePort(int port) throws IOException {
        if (reservedPorts.add(port)) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException e) {
                reservedPorts.remove(port);
            }
        }
        return freePort();
    }
}
