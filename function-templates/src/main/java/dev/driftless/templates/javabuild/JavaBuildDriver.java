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
 */
public final class JavaBuildDriver {
    public static final String MARK = "[java17-build] ";

    private JavaBuildDriver() {
    }

    public static void main(String[] args) throws Exception {
        int exit = 0;
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
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
        System.out.flush();
        // halt, not exit: shutdown hooks a test registered must not keep the build waiting.
        Runtime.getRuntime().halt(exit);
    }

    /** The JUnit console launcher in this JVM, in its own class loader, on a thread watched for the time limit. */
    private static int junit(Path consoleJar, long limitMillis, Path argFile, long start) throws Exception {
        List<String> arguments = Files.readAllLines(argFile, StandardCharsets.UTF_8);
        URLClassLoader loader = new URLClassLoader(new URL[] {consoleJar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
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
