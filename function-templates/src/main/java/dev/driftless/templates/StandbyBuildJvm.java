package dev.driftless.templates;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.driftless.templates.javabuild.JavaBuildDriver;

/**
 * One java17 build JVM started before its build: the build's command line up to the plan, warmed up on the
 * built-in {@link TrainingPlan} (so javac and JUnit are loaded and JIT-compiled), then waiting for one plan
 * on stdin ({@link JavaBuildDriver} standby mode). It serves exactly one build and exits: the build's tests
 * are a tenant's code, and a JVM is never reused for another build.
 *
 * <p>Started before the build's folder is known, it differs from a cold build JVM in two things: its HOME is
 * a link in its own folder that is pointed at the build's folder at hand-over (and {@code System.getenv}
 * says the build's folder, set by the driver), and its working directory is an empty folder of its own (a cold one's is the build's plan folder).
 */
final class StandbyBuildJvm implements AutoCloseable {
    /** Lets the driver set the build's HOME for {@code System.getenv} (see {@code JavaBuildDriver.home}). */
    static final String OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    /** A live, warmed JVM answers in milliseconds; longer means it is stuck, and the build goes cold. */
    private static final long HANDOVER_MILLIS = 5_000;

    private final List<String> jvm;
    private final Process process;
    private final Path dir;
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();

    private StandbyBuildJvm(List<String> jvm, Process process, Path dir) {
        this.jvm = List.copyOf(jvm);
        this.process = process;
        this.dir = dir;
    }

    /**
     * Starts {@code jvm} (java, its flags and class path: a build's command without the plan) in standby mode;
     * it warms up in the background for {@code rounds} runs of the training plan.
     */
    static StandbyBuildJvm start(List<String> jvm, Path consoleJar, HostTools tools, int rounds) throws IOException {
        Path dir = Files.createTempDirectory("driftless-java17-standby-");
        try {
            Path plan = TrainingPlan.write(Files.createDirectories(dir.resolve("warm-up")), consoleJar);
            List<String> command = new ArrayList<>(jvm);
            command.addAll(List.of(OPENS, JavaBuildDriver.class.getName(), JavaBuildDriver.STANDBY, plan.toString(), String.valueOf(rounds)));
            // An empty working directory of its own; the warm-up's files are beside it, not in it.
            Path cwd = Files.createDirectories(dir.resolve("cwd"));
            ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(tools.environment(dir.resolve("home"), Map.of(), tools.java()));
            StandbyBuildJvm standby = new StandbyBuildJvm(jvm, builder.start(), dir);
            standby.watch();
            return standby;
        } catch (IOException | RuntimeException e) {
            Trees.delete(dir);
            throw e;
        }
    }

    private void watch() {
        // The warm-up's own output is nobody's build log: read and dropped up to "ready".
        Thread reader = new Thread(() -> ready.complete(skipTo(process.getInputStream(), "ready")), "java17-standby-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        process.onExit().thenRun(() -> {
            ready.complete(false);
            deleteFolder();
        });
    }

    long pid() {
        return process.pid();
    }

    /** Whether a build with this JVM command line (java, flags, class path, archive) can run here. */
    boolean runs(List<String> buildJvm) {
        return jvm.equals(buildJvm);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Warmed up and waiting for its build. */
    boolean ready() {
        return ready.getNow(false) && process.isAlive();
    }

    /** Waits at most that long for the warm-up; whether it is ready (false: it failed or died). */
    boolean awaitReady(long millis) {
        try {
            return ready.get(millis, TimeUnit.MILLISECONDS) && process.isAlive();
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    /**
     * Hands over the build: its folder (HOME) and plan. The process running the plan, its output from here on
     * the build's; empty when this JVM did not take it (it is then killed, and the build goes cold).
     */
    Optional<Process> hand(Path home, Path plan) {
        String order = home + "\t" + plan;
        if (order.indexOf('\n') >= 0 || order.chars().filter(c -> c == '\t').count() != 1) {
            close();
            return Optional.empty();
        }
        try {
            Files.createSymbolicLink(dir.resolve("home"), home.toAbsolutePath());
            OutputStream in = process.getOutputStream();
            in.write((order + "\n").getBytes(StandardCharsets.UTF_8));
            // Closed as a cold build JVM's /dev/null is: a test reading stdin sees its end.
            in.close();
        } catch (IOException e) {
            close();
            return Optional.empty();
        }
        CompletableFuture<Boolean> taken = CompletableFuture.supplyAsync(() -> skipTo(process.getInputStream(), "taken"), task -> {
            Thread thread = new Thread(task, "java17-standby-handover-" + process.pid());
            thread.setDaemon(true);
            thread.start();
        });
        try {
            if (taken.get(HANDOVER_MILLIS, TimeUnit.MILLISECONDS)) {
                return Optional.of(process);
            }
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // stuck or broken: killed below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        return Optional.empty();
    }

    /** Kills the JVM and whatever it started, waits for it, and deletes its folder. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Here too, not only on exit: at the daemon's shutdown the exit callback may never run.
        deleteFolder();
    }

    /** Synchronized: the exit callback and {@link #close} may both delete it. */
    private synchronized void deleteFolder() {
        try {
            Trees.delete(dir);
        } catch (IOException | java.io.UncheckedIOException e) {
            // A leftover temporary folder (the HOME link is deleted, not followed) is harmless.
        }
    }

    /**
     * Reads byte by byte (nothing past the line is taken from the stream, the build's output follows it)
     * up to the driver's line {@code MARK + what}; false at the end of the stream.
     */
    private static boolean skipTo(InputStream out, String what) {
        byte[] expected = (JavaBuildDriver.MARK + what).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = out.read()) >= 0) {
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                if (java.util.Arrays.equals(line.toByteArray(), expected)) {
                    return true;
                }
                line.reset();
            }
        } catch (IOException e) {
            // closed: the JVM died or was killed
        }
        return false;
    }
}
