package dev.driftless.templates.javabuild;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The java17 template's build JVM: one forked JVM per function build runs every step that used to be a JVM of
 * its own (javac for the handler, javac for its tests, the JUnit console launcher), so the build pays one JVM
 * start and javac warms up once. Not an API: {@code Java17Template} writes the plan and reads the result lines.
 * The handler's tests run here, never in the daemon's JVM; this JVM is as walled off as the forked tools were
 * (cleared environment, killed at the time limit, a fresh JVM for every build).
 *
 * <p>Plan file, one step per line, tab-separated: {@code say <text>}, {@code javac <label> <argfile>},
 * {@code require <file> <label>}, {@code junit <console jar> <time limit ms> <argfile>}. The first failing
 * step ends the run. Result lines start with {@link #MARK}.
 *
 * <p>This class is the whole driver jar the build JVM runs from ({@code BuildJvmArchive}): no nested classes.
 */
public final class JavaBuildDriver {
    public static final String MARK = "[java17-build] ";
    /** First argument of a standby build JVM (see {@link #standby}). */
    public static final String STANDBY = "--standby";

    private JavaBuildDriver() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals(STANDBY)) {
            standby(Path.of(args[1]), Integer.parseInt(args[2]));
        }
        int exit = run(Path.of(args[0]));
        System.out.flush();
        // halt, not exit: shutdown hooks a test registered must not keep the build waiting.
        Runtime.getRuntime().halt(exit);
    }

    /** The standby's one build as the daemon sent it; empty at the end of stdin. Null while none came. */
    private static volatile String order;

    /**
     * Standby mode ({@code --standby <warm-up plan> <rounds>}): runs the warm-up plan (built-in sources only,
     * never a function's) once so javac and JUnit are loaded, says {@code ready}, and goes on warming up (JIT)
     * for up to {@code rounds} runs in all while it waits for one line on stdin, {@code <HOME>\t<plan>}; a build
     * that comes meanwhile waits only for the warm-up step in progress (a tenth of a second or so once warm).
     * It then answers {@code taken}, runs that plan as {@link #main} would, and exits: one build per JVM, as
     * on the cold path. End of input before a build (the daemon closed or died) ends the JVM. The daemon drops
     * everything up to and including {@code taken}.
     */
    private static void standby(Path warmUp, int rounds) throws Exception {
        warmUp(warmUp);
        System.out.println(MARK + "ready");
        System.out.flush();
        Thread reader = new Thread(() -> {
            String line = null;
            try {
                line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (java.io.IOException e) {
                // as the end of input
            }
            order = line == null ? "" : line;
        }, "standby-order");
        reader.setDaemon(true);
        reader.start();
        for (int i = 1; i < rounds && order == null; i++) {
            warmUp(warmUp);
        }
        reader.join();
        if (order.isEmpty()) {
            Runtime.getRuntime().halt(0);
        }
        String[] build = order.split("\t");
        home(build[0]);
        System.out.println(MARK + "taken");
        System.out.flush();
        int exit = run(Path.of(build[1]));
        System.out.flush();
        Runtime.getRuntime().halt(exit);
    }

    /**
     * The build's HOME for {@code System.getenv}: the standby JVM was started before the build's folder was
     * known (its own HOME is a link the daemon points at that folder, which is what child processes see).
     * Needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}; without it the standby refuses the build
     * (exits before {@code taken}) and the daemon builds on the cold path.
     */
    @SuppressWarnings("unchecked")
    private static void home(String home) throws ReflectiveOperationException {
        Class<?> environment = Class.forName("java.lang.ProcessEnvironment");
        java.lang.reflect.Field field = environment.getDeclaredField("theEnvironment");
        field.setAccessible(true);
        Method variable = Class.forName("java.lang.ProcessEnvironment$Variable").getDeclaredMethod("valueOf", String.class);
        Method value = Class.forName("java.lang.ProcessEnvironment$Value").getDeclaredMethod("valueOf", String.class);
        variable.setAccessible(true);
        value.setAccessible(true);
        ((java.util.Map<Object, Object>) field.get(null)).put(variable.invoke(null, "HOME"), value.invoke(null, home));
        if (!home.equals(System.getenv("HOME"))) {
            throw new IllegalStateException("HOME not set");
        }
    }

    /** One warm-up run, cut short between steps when the build has come. A failing warm-up ends the standby. */
    private static void warmUp(Path plan) throws Exception {
        if (run(plan, true) != 0) {
            System.out.println(MARK + "warm-up failed");
            System.out.flush();
            Runtime.getRuntime().halt(70);
        }
    }

    private static int run(Path plan) throws Exception {
        return run(plan, false);
    }

    /** Runs the plan's steps until the first failing one; its exit code (0 when every step passed). */
    private static int run(Path plan, boolean untilOrdered) throws Exception {
        int exit = 0;
        for (String line : Files.readAllLines(plan, StandardCharsets.UTF_8)) {
            if (untilOrdered && order != null) {
                break;
            }
            String[] step = line.split("\t");
            long start = System.nanoTime();
            switch (step[0]) {
                case "say" -> System.out.println("==> " + step[1]);
                case "javac" -> {
                    int code = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, System.out, System.out, "@" + step[2]);
                    System.out.flush();
                    System.out.println(MARK + "javac " + step[1] + " exit=" + code + " ms=" + millis(start));
                    exit = code == 0 ? 0 : 2;
                }
                case "require" -> {
                    boolean there = Files.isRegularFile(Path.of(step[1]));
                    if (!there) {
                        System.out.println(MARK + "missing " + step[2]);
                    }
                    exit = there ? 0 : 3;
                }
                case "junit" -> exit = junit(Path.of(step[1]), Long.parseLong(step[2]), Path.of(step[3]), start);
                default -> throw new IllegalArgumentException("unknown step " + step[0]);
            }
            if (exit != 0) {
                break;
            }
        }
        return exit;
    }

    /** The JUnit console launcher in this JVM, in its own class loader, on a thread watched for the time limit. */
    private static int junit(Path consoleJar, long limitMillis, Path argFile, long start) throws Exception {
        List<String> arguments = Files.readAllLines(argFile, StandardCharsets.UTF_8);
        // The template puts the console jar on this JVM's class path, where class-data sharing covers its
        // classes; a plan run without it there loads the jar in a loader of its own.
        ClassLoader loader = JavaBuildDriver.class.getClassLoader();
        try {
            loader.loadClass("org.junit.platform.console.ConsoleLauncher");
        } catch (ClassNotFoundException e) {
            loader = new URLClassLoader(new URL[] {consoleJar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        }
        Method run = loader.loadClass("org.junit.platform.console.ConsoleLauncher")
                .getMethod("run", PrintWriter.class, PrintWriter.class, String[].class);
        AtomicInteger code = new AtomicInteger(-1);
        Thread tests = new Thread(() -> {
            PrintWriter out = new PrintWriter(System.out, true);
            try {
                Object result = run.invoke(null, out, out, arguments.toArray(String[]::new));
                code.set((Integer) result.getClass().getMethod("getExitCode").invoke(result));
            } catch (ReflectiveOperationException | RuntimeException e) {
                e.printStackTrace(System.out);
                code.set(-2);
            } finally {
                out.flush();
            }
        }, "junit");
        tests.setDaemon(true);
        tests.setContextClassLoader(loader);
        tests.start();
        tests.join(limitMillis);
        if (tests.isAlive()) {
            System.out.println(MARK + "tests timed out");
            System.out.flush();
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            Runtime.getRuntime().halt(124);
        }
        System.out.flush();
        System.out.println(MARK + "junit exit=" + code.get() + " ms=" + millis(start));
        return code.get() == 0 ? 0 : 4;
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
