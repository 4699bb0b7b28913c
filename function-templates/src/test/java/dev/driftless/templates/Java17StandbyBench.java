package dev.driftless.templates;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.driftless.templates.javabuild.JavaBuildDriver;

/**
 * Before/after of the java17 build step in one run, alternating: the sample with a handler-only change built by
 * a template whose build JVM starts cold (before) and by one with a warm standby (after). Before every build
 * the standby is waited for, so no warm-up runs during either measurement. Not a test; run by hand:
 * {@code java -cp <test class path> dev.driftless.templates.Java17StandbyBench [pairs=8]}. Prints a Markdown table.
 */
public final class Java17StandbyBench {
    private static final String FIRST_DRIVER_LINE = "==> java17: compiling ";

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        HostTools tools = HostTools.fromEnvironment();
        TemplateFiles files = TemplateFiles.load("templates/java17");
        TemplateFiles entrypoint = TemplateFiles.load("dev/driftless/entrypoint/java");
        Path root = Files.createTempDirectory("driftless-java17-standby-bench");
        Map<Boolean, List<double[]>> results = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
        try (Java17Template cold = new Java17Template(tools, files, entrypoint, false);
                Java17Template warm = new Java17Template(tools, files, entrypoint, true)) {
            // Untimed: the archive (trained once per host) and the first standby.
            build(cold, root.resolve("prime-cold"), files, 0);
            build(warm, root.resolve("prime-warm"), files, 0);
            List<Double> waits = new ArrayList<>();
            for (int i = 1; i <= pairs * 2; i++) {
                boolean standby = i % 2 == 0;
                long wait = System.nanoTime();
                warm.awaitStandby(Duration.ofMinutes(2)).orElseThrow(() -> new IllegalStateException("no standby"));
                if (!standby && i > 1) {
                    // Right after a warm build: how much longer its replacement (started when it took the standby) warmed up.
                    waits.add((System.nanoTime() - wait) / 1e9);
                }
                double[] r = build(standby ? warm : cold, root.resolve("run" + i), files, i);
                results.get(standby).add(r);
                System.err.printf(Locale.ROOT, "%s build %.2f s, build JVM %.2f s, steps %.2f s%n", standby ? "warm" : "cold", r[0], r[1], r[2]);
            }
            Collections.sort(waits);
            System.err.println("replacement standby ready this long after the warm build ended (s): " + waits);
        } finally {
            Trees.delete(root);
        }
        System.out.println("| java17 sample, handler-only change, median (min–max) of " + pairs + " | template build | build JVM | javac + javac + JUnit (driver's ms) |");
        System.out.println("| --- | ---: | ---: | ---: |");
        for (boolean standby : List.of(false, true)) {
            List<double[]> r = results.get(standby);
            System.out.println("| " + (standby ? "warm standby JVM (after)" : "cold build JVM (before)") + " | " + stat(r, 0) + " | " + stat(r, 1) + " | " + stat(r, 2) + " |");
        }
    }

    /** Seconds: the whole template build, the build JVM (from the template's last line before it to its end), its steps. */
    private static double[] build(Java17Template template, Path dir, TemplateFiles files, int change) throws Exception {
        Path handler = Files.createDirectories(dir.resolve("handler"));
        files.under("sample").writeTo(handler);
        Path source = handler.resolve("src/main/java/com/openfaas/function/Handler.java");
        Files.writeString(source, Files.readString(source) + "// change " + change + "\n", StandardCharsets.UTF_8);
        List<long[]> lines = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        template.build(new TemplateContext("fn", handler, Files.createDirectories(dir.resolve("work")), Map.of(), Duration.ofSeconds(60), text -> {
            lines.add(new long[] {System.nanoTime()});
            log.add(text);
        }));
        long end = System.nanoTime();
        int first = 0;
        while (!log.get(first).startsWith(FIRST_DRIVER_LINE)) {
            first++;
        }
        int last = log.size() - 1;
        while (!log.get(last).startsWith(JavaBuildDriver.MARK + "junit exit=")) {
            last--;
        }
        long steps = 0;
        for (String line : log) {
            if (line.startsWith(JavaBuildDriver.MARK) && line.contains(" ms=")) {
                steps += Long.parseLong(line.substring(line.indexOf(" ms=") + 4).trim());
            }
        }
        return new double[] {(end - start) / 1e9, (lines.get(last)[0] - lines.get(first - 1)[0]) / 1e9, steps / 1e3};
    }

    private static String stat(List<double[]> runs, int column) {
        List<Double> values = new ArrayList<>();
        runs.forEach(r -> values.add(r[column]));
        Collections.sort(values);
        double median = values.size() % 2 == 1 ? values.get(values.size() / 2)
                : (values.get(values.size() / 2 - 1) + values.get(values.size() / 2)) / 2;
        return String.format(Locale.ROOT, "%.2f s (%.2f–%.2f)", median, values.get(0), values.get(values.size() - 1));
    }
}
