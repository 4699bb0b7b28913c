package dev.driftless.reconciler.runtime.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts instances and waits until they are healthy; an instance that does not get healthy is stopped
 * before this returns. Keeps every live instance so that closing the runtime stops all of them, including
 * one that is still being health-checked.
 */
final class Launcher {
    /** A started instance and what its health check said; only a {@code HEALTHY} one is still running. */
    record Attempt(Instance instance, HealthProbe.Result result) {
        boolean healthy() {
            return result == HealthProbe.Result.HEALTHY;
        }
    }

    private final Sandbox sandbox;
    private final HealthProbe probe = new HealthProbe();
    private final Duration healthTimeout;
    private final Duration stopGrace;
    private final int logLines;
    private final Set<Instance> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong started = new AtomicLong();
    private volatile boolean closed;

    Launcher(Sandbox sandbox, Duration healthTimeout, Duration stopGrace, int logLines) {
        this.sandbox = sandbox;
        this.healthTimeout = healthTimeout;
        this.stopGrace = stopGrace;
        this.logLines = logLines;
    }

    /** Starts {@code launch} on {@code port} and waits for its health check. */
    Attempt launch(Launch launch, int port, List<String> carriedLines) throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("the local runtime is closed");
        }
        LogBuffer logs = new LogBuffer(logLines);
        carriedLines.forEach(logs::add);
        Instance instance = Instance.start(sandbox, launch, port, logs);
        started.incrementAndGet();
        live.add(instance);
        instance.exited().thenRun(() -> live.remove(instance));
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
        if (result != HealthProbe.Result.HEALTHY) {
            stop(instance);
        }
        return new Attempt(instance, result);
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

    /** Refuses new launches and stops every live instance. */
    void close() {
        closed = true;
        for (Instance instance : List.copyOf(live)) {
            stop(instance);
        }
    }

    /** A loopback port nobody listens on now; the instance binds it a moment later. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** {@code port} again if it is free (a restarted instance keeps its route), else a fresh one. */
    static int sameOrFreePort(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return port;
        } catch (IOException e) {
            return freePort();
        }
    }
}
