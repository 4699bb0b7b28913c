package dev.driftless.templates;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The java17 template's one build JVM kept ready ahead of time ({@link StandbyBuildJvm}): a build takes it if
 * it is warmed up and started with the build's command line, and the next one starts right after it is taken.
 * Nothing here ever waits for a standby: when none is ready (the first build, two builds at once, one that
 * died) the build runs on the cold path, a JVM of its own, as fast as before. Closing (or the daemon's JVM
 * ending, by a shutdown hook) kills the waiting standby; a standby also ends by itself when its stdin does,
 * so one outlives a killed daemon only until its warm-up is done.
 */
final class StandbyBuildJvms implements AutoCloseable {
    /**
     * Runs of the training plan in all: the first before the standby says it is ready (classes loaded), the
     * others while it waits, cut short by a build (JIT: a build on a JVM warmed 3 times ran about twice as
     * fast as on one warmed once, 6 a little faster still).
     */
    static final int WARM_UP_ROUNDS = 6;

    private final HostTools tools;
    private StandbyBuildJvm current;
    private Thread shutdownHook;
    private boolean closed;

    StandbyBuildJvms(HostTools tools) {
        this.tools = tools;
    }

    /** The ready standby for this JVM command line, now the caller's alone; empty when none is ready. */
    synchronized Optional<StandbyBuildJvm> take(List<String> jvm) {
        if (current == null || !current.ready() || !current.runs(jvm)) {
            return Optional.empty();
        }
        StandbyBuildJvm taken = current;
        current = null;
        return Optional.of(taken);
    }

    /**
     * Starts a standby for this command line in the background unless one is warming up or waiting already;
     * one for another command line (the class-data archive appeared, another JDK) is replaced. A standby that
     * cannot be started leaves the builds on the cold path.
     */
    synchronized void keepOneFor(List<String> jvm, Path consoleJar) {
        if (closed || (current != null && current.alive() && current.runs(jvm))) {
            return;
        }
        if (current != null) {
            current.close();
            current = null;
        }
        try {
            current = StandbyBuildJvm.start(jvm, consoleJar, tools, WARM_UP_ROUNDS);
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::close, "java17-standby-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** For tests and benchmarks: waits until the standby is ready; its pid, empty if none or it failed. */
    Optional<Long> awaitReady(Duration limit) {
        StandbyBuildJvm standby;
        synchronized (this) {
            standby = current;
        }
        return standby != null && standby.awaitReady(limit.toMillis()) ? Optional.of(standby.pid()) : Optional.empty();
    }

    /** Kills the waiting standby and starts no other. Builds running on a taken one finish as cold ones do. */
    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway
            }
        }
    }
}
