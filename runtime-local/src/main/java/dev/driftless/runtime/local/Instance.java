package dev.driftless.runtime.local;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running process of a function on one loopback port. Its output goes line by line into a
 * {@link LogBuffer}. {@link #stop} ends the whole process tree: SIGTERM, then SIGKILL after a grace period.
 * A function with limits runs in a cgroup of its own ({@link CgroupLimits}), which goes when the instance has exited.
 */
final class Instance {
    /** How long an exited instance's last output may take to arrive before its cgroup is read out. */
    private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(2);
    /** Settles exited instances that ran in a cgroup (they wait for the last output, then read the cgroup). */
    private static final java.util.concurrent.Executor EXITS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-runtime-exit");
        t.setDaemon(true);
        return t;
    });

    private final Sandbox sandbox;
    private final Launch launch;
    private final int port;
    private final Process process;
    private final LogBuffer logs;
    private final Instant started;
    private volatile boolean stopping;
    /** The helper that connects the instance's network namespace (pasta as root); stopped with the instance. */
    private volatile Optional<ProcessHandle> network = Optional.empty();
    /** Completes once the output pipe reached its end: every line the process printed is in {@link #logs}. */
    private final CompletableFuture<Void> outputRead = new CompletableFuture<>();
    /** The cgroup that caps it, when its function has limits and the machine lets them be enforced. */
    private final Optional<CgroupLimits.Group> cgroup;
    /**
     * Completes after the exit, once its cgroup was asked how it ended: with {@code killed: out of memory (limit
     * 64Mi)} when the OOM killer ended it, else empty.
     */
    private final CompletableFuture<Optional<String>> death = new CompletableFuture<>();

    private Instance(Sandbox sandbox, Launch launch, int port, Process process, LogBuffer logs,
                     Optional<CgroupLimits.Group> cgroup) {
        this.sandbox = sandbox;
        this.launch = launch;
        this.port = port;
        this.process = process;
        this.logs = logs;
        this.started = Instant.now();
        this.cgroup = cgroup;
    }

    /**
     * Starts the process; with a {@code cgroup} it enters it before its command runs (see {@link
     * CgroupLimits.Group#enter}), and the cgroup is removed once the instance has exited.
     */
    static Instance start(Sandbox sandbox, Launch launch, int port, LogBuffer logs,
                          Optional<CgroupLimits.Group> cgroup) throws IOException, InterruptedException {
        ProcessBuilder builder = sandbox.command(launch, port).redirectErrorStream(true);
        cgroup.ifPresent(group -> builder.command().addAll(0, group.enter()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            cgroup.ifPresent(CgroupLimits.Group::removeWhenEmpty);
            throw e;
        }
        Instance instance = new Instance(sandbox, launch, port, process, logs, cgroup);
        instance.watchExit();
        try {
            instance.network = sandbox.attach(process, port);
        } catch (IOException | InterruptedException | RuntimeException e) {
            instance.pumpOutputInBackground();
            instance.stop(Duration.ZERO);
            throw e;
        }
        instance.network.ifPresent(helper -> process.onExit().thenRun(helper::destroy));
        instance.pumpOutputInBackground();
        return instance;
    }

    private void watchExit() {
        if (cgroup.isEmpty()) {
            process.onExit().thenRun(() -> death.complete(Optional.empty()));
            return;
        }
        process.onExit().thenRunAsync(this::exitedFromCgroup, EXITS);
    }

    /** Settles an instance that ran in a cgroup: why it ended (said as its last line), then the cgroup goes. */
    private void exitedFromCgroup() {
        CgroupLimits.Group group = cgroup.orElseThrow();
        try {
            awaitOutput(OUTPUT_DRAIN); // the line that says why comes after what the function printed
            Optional<String> killed = group.outOfMemory(exitCode());
            killed.ifPresent(why -> logs.add("--- driftless: " + why + " ---"));
            death.complete(killed);
        } catch (RuntimeException e) {
            death.complete(Optional.empty());
        } finally {
            group.removeWhenEmpty();
        }
    }

    /**
     * After the exit: {@code killed: out of memory (limit 64Mi)} when the OOM killer ended it; empty when it ended
     * otherwise, still runs, or the answer takes longer than {@code limit}.
     */
    Optional<String> death(Duration limit) {
        try {
            return death.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Completes once the instance exited and its cgroup (if any) said how: what a crash report waits for. */
    CompletableFuture<Optional<String>> ended() {
        return death;
    }

    Optional<CgroupLimits.Group> cgroup() {
        return cgroup;
    }

    private void pumpOutputInBackground() {
        Thread pump = new Thread(this::pumpOutput, "fn-log-" + launch.name() + "-" + port);
        pump.setDaemon(true);
        pump.start();
    }

    /** Splits the output into lines, cutting overlong ones, so a function cannot grow the daemon's heap. */
    private void pumpOutput() {
        try (InputStreamReader reader = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            char[] buffer = new char[8192];
            for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        logs.add(stripCarriageReturn(line));
                        line.setLength(0);
                    } else if (line.length() < LogBuffer.MAX_LINE) {
                        line.append(c);
                    }
                }
            }
            if (line.length() > 0) {
                logs.add(stripCarriageReturn(line));
            }
        } catch (IOException e) {
            // The pipe closes when the process ends; nothing left to read.
        } finally {
            outputRead.complete(null);
        }
    }

    /**
     * Waits (at most {@code limit}) until the output pump has read everything the exited process printed: the
     * process can exit before the pump has read its last lines, and those are the ones that say why.
     */
    void awaitOutput(Duration limit) {
        try {
            outputRead.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // A child that outlives the process may hold the pipe open; the lines read so far are kept.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String stripCarriageReturn(StringBuilder line) {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }

    Launch launch() {
        return launch;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    LogBuffer logs() {
        return logs;
    }

    Instant started() {
        return started;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** True once {@link #stop} was called: an exit after that is not a crash. */
    boolean stopping() {
        return stopping;
    }

    CompletableFuture<Process> exited() {
        return process.onExit();
    }

    /** The exit code, or -1 while it runs. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * Stops the process and all its descendants. Idempotent; returns once they have all exited. SIGTERM goes
     * to the function's own processes, not to bubblewrap: bubblewrap dies on SIGTERM and takes the sandbox
     * down with SIGKILL, which would rob the function of its graceful shutdown.
     */
    void stop(Duration grace) {
        stopping = true;
        List<ProcessHandle> descendants = process.descendants().toList(); // before the tree is re-parented
        List<ProcessHandle> workload = new ArrayList<>();
        for (ProcessHandle handle : descendants) {
            if (!sandbox.wraps(handle)) {
                workload.add(handle);
            }
        }
        if (workload.isEmpty() || !sandbox.wraps(process.toHandle())) {
            workload.add(process.toHandle());
        }
        workload.forEach(ProcessHandle::destroy);
        List<ProcessHandle> tree = new ArrayList<>(workload);
        descendants.stream().filter(h -> !tree.contains(h)).forEach(tree::add);
        if (!tree.contains(process.toHandle())) {
            tree.add(process.toHandle());
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : tree) {
            long left = deadline - System.nanoTime();
            try {
                handle.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // Killed below.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ProcessHandle handle : tree) {
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
        network.ifPresent(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(5, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // A process that survives SIGKILL for 5 s is stuck in the kernel; nothing more to do.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return launch.name() + "@127.0.0.1:" + port + " pid " + process.pid();
    }
}
