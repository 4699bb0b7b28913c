package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.driftless.templates.javabuild.JavaBuildDriver;

/**
 * {@code java17} (alias {@code java11}): OpenFaaS Java handlers ({@code com.openfaas.function.Handler
 * extends AbstractHandler}) built unchanged. Dependencies come from the function's build.gradle and/or
 * pom.xml, resolved by a forked Maven. One forked build JVM per build ({@link JavaBuildDriver}) compiles the
 * sources and the tests under src/test/java with javax.tools and runs the tests with the JUnit console launcher;
 * when one is ready, that JVM was started and warmed up ahead of time ({@link StandbyBuildJvms}).
 */
final class Java17Template implements FunctionTemplate, AutoCloseable {
    static final String NAME = "java17";
    private static final String RUNTIME = "/opt/driftless/runtime";
    private static final String LIB = "/opt/driftless/lib";
    private static final String FUNCTION = "/home/app/function";
    private static final String ENTRYPOINT_CLASS = "dev.driftless.entrypoint.java.Main";
    private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(5);
    /** Changes when the build steps change in a way the resource files do not show. */
    private static final String BUILD_STEPS_VERSION = "java17-build-2";

    private final HostTools tools;
    private final TemplateFiles files;
    private final TemplateFiles entrypoint;
    private final String version;
    private final BuildJvmArchive archive;
    /** Null when builds always start their own JVM (the cold path only, for comparisons). */
    private final StandbyBuildJvms standbys;

    Java17Template(HostTools tools, TemplateFiles files, TemplateFiles entrypoint) {
        this(tools, files, entrypoint, true);
    }

    Java17Template(HostTools tools, TemplateFiles files, TemplateFiles entrypoint, boolean standby) {
        this.standbys = standby ? new StandbyBuildJvms(tools) : null;
        this.tools = tools;
        this.files = files;
        this.entrypoint = entrypoint;
        this.version = files.hash(BUILD_STEPS_VERSION + entrypoint.hash(""));
        this.archive = new BuildJvmArchive(tools);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("java11");
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String clusterBaseImage() {
        return "eclipse-temurin:17-jre";
    }

    @Override
    public TemplateBuild build(TemplateContext context) throws TemplateException {
        BuildLog log = context.log();
        Path handler = context.handlerDir();
        Path sources = handler.resolve("src/main/java");
        List<Path> sourceFiles = javaFiles(sources);
        if (sourceFiles.isEmpty()) {
            throw new TemplateException("java17 handler has no Java sources: expected src/main/java/com/openfaas/function/Handler.java in " + context.functionName());
        }
        Layout layout = Layout.in(context.workDir());
        Path runtimeClasses = Trees.mkdirs(layout.runtime().resolve("classes"));
        Path runtimeLib = Trees.mkdirs(layout.runtime().resolve("lib"));

        log.step("java17: reading dependencies");
        List<JavaDependency> dependencies = declaredDependencies(handler, log);
        log.step("java17: resolving " + dependencies.size() + " declared dependencies from Maven Central");
        MavenResolver.Resolved jars = new MavenResolver(tools).resolve(dependencies, layout.scratch("maven"), layout.dependencies(), log);
        try {
            for (Path jar : MavenResolver.jars(jars.model())) {
                Files.copy(jar, runtimeLib.resolve(jar.getFileName()));
            }
            entrypoint.writeTo(runtimeClasses.resolve("dev/driftless/entrypoint/java"));
        } catch (IOException e) {
            throw new TemplateException("could not lay out the java17 runtime: " + e.getMessage(), e);
        }

        // The runtime's classes too: a handler may cast to DriftlessRequest to read the HTTP method.
        List<Path> compileClasspath = new ArrayList<>(List.of(runtimeClasses));
        compileClasspath.addAll(MavenResolver.jars(runtimeLib));
        compileClasspath.addAll(MavenResolver.jars(jars.compile()));
        copyResources(handler.resolve("src/main/resources"), layout.function());
        BuildPlan plan = new BuildPlan(layout.scratch("build-jvm"),
                MavenResolver.jars(jars.tools()).stream().findFirst().orElse(null));
        plan.say("java17: compiling " + sourceFiles.size() + " source files with javac --release 17");
        plan.javac("main", sourceFiles, compileClasspath, Trees.mkdirs(layout.function()));
        plan.require(layout.function().resolve("com/openfaas/function/Handler.class"), "handler");
        boolean tests = planTests(context, layout, jars, runtimeLib, plan);
        TestReport report = runBuildJvm(context, plan, tests);
        return new TemplateBuild(
                List.of(new ImageLayer("runtime", layout.runtime(), RUNTIME),
                        new ImageLayer("dependencies", layout.dependencies(), LIB),
                        new ImageLayer("function", layout.function(), FUNCTION)),
                List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                        RUNTIME + "/classes:" + RUNTIME + "/lib/*:" + LIB + "/*:" + FUNCTION, ENTRYPOINT_CLASS),
                Map.of("PATH", HostTools.IMAGE_PATH),
                "/home/app",
                report);
    }

    private List<JavaDependency> declaredDependencies(Path handler, BuildLog log) throws TemplateException {
        List<JavaDependency> declared = new ArrayList<>();
        try {
            for (String gradle : List.of("build.gradle", "build.gradle.kts")) {
                Path file = handler.resolve(gradle);
                if (Files.isRegularFile(file)) {
                    if (gradle.endsWith(".kts")) {
                        throw new TemplateException("build.gradle.kts is not supported: declare dependencies in build.gradle or pom.xml");
                    }
                    declared.addAll(GradleBuildFile.parse(Files.readString(file, StandardCharsets.UTF_8), gradle));
                }
            }
        } catch (IOException e) {
            throw new TemplateException("could not read build.gradle: " + e.getMessage(), e);
        }
        if (Files.isRegularFile(handler.resolve("pom.xml"))) {
            declared.addAll(PomDependencies.parse(handler.resolve("pom.xml")));
        }
        List<JavaDependency> kept = new ArrayList<>();
        for (JavaDependency d : declared) {
            if (d.providedByTemplate()) {
                log.line("  " + d.coordinates() + " (" + d.declaredAt() + "): provided by the java17 runtime, not resolved again");
            } else if (MavenResolver.providedByLauncher(d)) {
                log.line("  " + d.coordinates() + " (" + d.declaredAt() + "): tests run on the JUnit console launcher "
                        + MavenResolver.JUNIT_CONSOLE.split(":")[2] + ", which contains it");
            } else {
                log.line("  " + d.coordinates() + " " + d.scope().maven() + " (" + d.declaredAt() + ")");
                kept.add(d);
            }
        }
        return kept;
    }

    /** Adds the test steps to the plan; false when there is nothing to test (no tests, or TEST_ENABLED=false). */
    private boolean planTests(TemplateContext context, Layout layout, MavenResolver.Resolved jars, Path runtimeLib, BuildPlan plan)
            throws TemplateException {
        Path handler = context.handlerDir();
        List<Path> testSources = javaFiles(handler.resolve("src/test/java"));
        if (testSources.isEmpty()) {
            context.log().line("java17: no tests under src/test/java");
            return false;
        }
        if ("false".equalsIgnoreCase(context.buildArgs().get("TEST_ENABLED"))) {
            context.log().line("java17: tests skipped: build_args TEST_ENABLED=false");
            return false;
        }
        plan.say("java17: compiling " + testSources.size() + " test sources");
        Path testClasses = Trees.mkdirs(layout.scratch("test-classes"));
        List<Path> testClasspath = new ArrayList<>();
        testClasspath.add(layout.function());
        testClasspath.add(layout.runtime().resolve("classes"));
        testClasspath.addAll(MavenResolver.jars(runtimeLib));
        testClasspath.addAll(MavenResolver.jars(jars.test()));
        Path console = plan.consoleJar();
        if (console == null) {
            throw new TemplateException("the JUnit console launcher (" + MavenResolver.JUNIT_CONSOLE + ") was not resolved; cannot run the tests");
        }
        List<Path> compileClasspath = new ArrayList<>(testClasspath);
        compileClasspath.add(console); // JUnit's API for compiling; at run time the launcher provides it
        plan.javac("tests", testSources, compileClasspath, testClasses);
        copyResources(handler.resolve("src/test/resources"), testClasses);

        plan.say("java17: running tests (time limit " + context.testTimeout().toSeconds() + " s)");
        testClasspath.add(0, testClasses);
        plan.junit(console, context.testTimeout(), List.of("execute", "--disable-banner", "--disable-ansi-colors", "--details=tree",
                "--class-path", classpath(testClasspath), "--scan-class-path", testClasses.toString()));
        return true;
    }

    /**
     * Compiles the handler and its tests and runs the tests in one forked JVM (one JVM start per build instead of
     * three, javac warmed once), then reads what each step gave.
     */
    private TestReport runBuildJvm(TemplateContext context, BuildPlan plan, boolean tests) throws TemplateException {
        BuildLog log = context.log();
        Path driverClasses = codeSource();
        Duration limit = COMPILE_TIMEOUT.plus(tests ? context.testTimeout() : Duration.ZERO);
        // Flags for a JVM that lives a second or two: C1 only, the serial collector, shared classes.
        List<String> jvm = new ArrayList<>(List.of(tools.java().toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-Xss4m"));
        BuildJvmArchive.Launch launch = archive.launch(driverClasses, plan.consoleJar(), log);
        jvm.addAll(launch.jvmArguments());
        Path planFile = plan.write();
        List<String> command = new ArrayList<>(jvm);
        command.addAll(List.of(JavaBuildDriver.class.getName(), planFile.toString()));
        ForkedProcess fork = new ForkedProcess(tests ? "tests" : "javac", command, plan.dir(),
                tools.environment(context.workDir(), Map.of(), tools.java()), limit);
        ForkedProcess.Result result = onStandbyOrCold(fork, jvm, planFile, launch.stableConsoleJar(), context);
        List<String> tail = result.tail();
        int from = 0;
        for (int i = 0; i < tail.size(); i++) {
            String line = tail.get(i);
            if (!line.startsWith(JavaBuildDriver.MARK)) {
                continue;
            }
            String mark = line.substring(JavaBuildDriver.MARK.length());
            if (mark.startsWith("javac ") && !mark.contains(" exit=0 ")) {
                String exit = mark.replaceAll(".* exit=(-?\\d+).*", "$1");
                List<String> output = tail.subList(Math.max(from, i - 20), i);
                throw new TemplateException("compilation failed (javac exit " + exit + "):\n" + String.join("\n", output));
            }
            if (mark.startsWith("missing handler")) {
                throw new TemplateException("java17 handler must define class com.openfaas.function.Handler (extends com.openfaas.model.AbstractHandler)");
            }
            if (mark.equals("tests timed out")) {
                log.line("tests timed out after " + context.testTimeout().toSeconds() + " s: killed the process and its children");
                throw new TemplateException("tests timed out after " + context.testTimeout().toSeconds() + " s");
            }
            from = i + 1;
        }
        if (!tests) {
            if (result.exitCode() != 0) {
                throw new TemplateException("the java17 build JVM exited with " + result.exitCode() + "; see the build log");
            }
            return TestReport.none();
        }
        TestReport report = JUnitSummary.parse(tail).orElseThrow(() -> new TemplateException(
                "the test run ended without a JUnit summary (exit " + result.exitCode() + "); see the build log"));
        log.line("java17: tests run " + report.run() + ", failed " + report.failed() + ", skipped " + report.skipped());
        if (!report.passed()) {
            throw new TestsFailedException(report);
        }
        if (result.exitCode() != 0) {
            throw new TemplateException("the JUnit launcher exited with " + result.exitCode() + " although it reported no failed test; see the build log");
        }
        return report;
    }

    /**
     * The plan on the warmed-up standby JVM when one is ready for this command line, else on a JVM of its own
     * (the cold path, as before). Either way the output, time limit and result are {@link ForkedProcess}'s.
     * The standby warms up with the console jar's host-wide copy: the build's own goes with the build's folder.
     */
    private ForkedProcess.Result onStandbyOrCold(ForkedProcess fork, List<String> jvm, Path planFile, Path consoleJar,
            TemplateContext context) throws TemplateException {
        if (standbys == null || consoleJar == null) {
            return fork.run(context.log());
        }
        Optional<StandbyBuildJvm> standby = standbys.take(jvm);
        // Right after one is taken (or a first build found none): the next build's JVM warms up meanwhile.
        standbys.keepOneFor(jvm, consoleJar);
        if (standby.isPresent()) {
            Optional<Process> process = standby.get().hand(context.workDir(), planFile);
            if (process.isPresent()) {
                context.log().line("java17: build JVM started ahead of time, warmed up on built-in sources (pid " + process.get().pid() + ")");
                return fork.await(process.get(), context.log());
            }
            context.log().line("java17: the standby build JVM did not take the build; starting one for it");
        }
        return fork.run(context.log());
    }

    /** Kills the standby build JVM, if one is waiting. */
    @Override
    public void close() {
        if (standbys != null) {
            standbys.close();
        }
    }

    /** For tests and benchmarks: waits for the standby build JVM to be warmed up; its pid. */
    Optional<Long> awaitStandby(Duration limit) {
        return standbys == null ? Optional.empty() : standbys.awaitReady(limit);
    }

    /** Where the build JVM's driver class is (the daemon's own classes folder or jar). */
    private static Path codeSource() throws TemplateException {
        try {
            return Path.of(JavaBuildDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new TemplateException("could not locate the java17 build driver's classes: " + e.getMessage(), e);
        }
    }

    /** The steps the build JVM runs, written as its plan file and argument files. */
    private static final class BuildPlan {
        private final Path dir;
        private final Path consoleJar;
        private final StringBuilder steps = new StringBuilder();
        private int files;

        BuildPlan(Path dir, Path consoleJar) {
            this.dir = dir;
            this.consoleJar = consoleJar;
        }

        /** JUnit's console launcher: on the build JVM's class path (so its classes can be shared), and the test API for javac. */
        Path consoleJar() {
            return consoleJar;
        }

        Path dir() {
            return dir;
        }

        void say(String text) {
            steps.append("say\t").append(text.replace('\t', ' ')).append('\n');
        }

        void javac(String label, List<Path> sources, List<Path> classpath, Path out) throws TemplateException {
            StringBuilder args = new StringBuilder();
            for (String arg : List.of("--release", "17", "-encoding", "UTF-8", "-implicit:none", "-proc:none",
                    "-d", out.toString(), "-cp", classpath(classpath))) {
                args.append(quote(arg)).append('\n');
            }
            for (Path source : sources) {
                args.append(quote(source.toString())).append('\n');
            }
            steps.append("javac\t").append(label).append('\t').append(file(label + "-javac.txt", args.toString())).append('\n');
        }

        void require(Path file, String label) {
            steps.append("require\t").append(file).append('\t').append(label).append('\n');
        }

        void junit(Path consoleJar, Duration limit, List<String> arguments) throws TemplateException {
            steps.append("junit\t").append(consoleJar).append('\t').append(limit.toMillis()).append('\t')
                    .append(file("junit-args.txt", String.join("\n", arguments) + "\n")).append('\n');
        }

        Path write() throws TemplateException {
            return file("plan.txt", steps.toString());
        }

        private Path file(String name, String text) throws TemplateException {
            Path path = dir.resolve((files++) + "-" + name);
            try {
                Files.writeString(path, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new TemplateException("could not write the java17 build plan: " + e.getMessage(), e);
            }
            return path;
        }

        private static String quote(String arg) {
            return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }

    private static String classpath(List<Path> entries) {
        List<String> parts = new ArrayList<>();
        entries.forEach(p -> parts.add(p.toString()));
        return parts.isEmpty() ? "." : String.join(":", parts);
    }

    private static List<Path> javaFiles(Path root) throws TemplateException {
        try {
            return Trees.files(root, Set.of()).stream().filter(p -> p.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new TemplateException("could not list " + root + ": " + e.getMessage(), e);
        }
    }

    private static void copyResources(Path from, Path to) throws TemplateException {
        try {
            Trees.copy(from, to, Set.of(), p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not copy resources from " + from + ": " + e.getMessage(), e);
        }
    }
}
