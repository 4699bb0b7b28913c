package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code java17} (alias {@code java11}): OpenFaaS Java handlers ({@code com.openfaas.function.Handler
 * extends AbstractHandler}) built unchanged. Dependencies come from the function's build.gradle and/or
 * pom.xml, resolved by a forked Maven; sources are compiled by a forked javac; JUnit tests under
 * src/test/java run in a forked JVM with the JUnit console launcher.
 */
final class Java17Template implements FunctionTemplate {
    static final String NAME = "java17";
    private static final String RUNTIME = "/opt/driftless/runtime";
    private static final String LIB = "/opt/driftless/lib";
    private static final String FUNCTION = "/home/app/function";
    private static final String ENTRYPOINT_CLASS = "dev.driftless.entrypoint.java.Main";
    private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(5);
    /** Changes when the build steps change in a way the resource files do not show. */
    private static final String BUILD_STEPS_VERSION = "java17-build-1";

    private final HostTools tools;
    private final TemplateFiles files;
    private final TemplateFiles entrypoint;
    private final String version;

    Java17Template(HostTools tools, TemplateFiles files, TemplateFiles entrypoint) {
        this.tools = tools;
        this.files = files;
        this.entrypoint = entrypoint;
        this.version = files.hash(BUILD_STEPS_VERSION + entrypoint.hash(""));
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

        log.step("java17: compiling " + sourceFiles.size() + " source files with javac --release 17");
        // The runtime's classes too: a handler may cast to DriftlessRequest to read the HTTP method.
        List<Path> compileClasspath = new ArrayList<>(List.of(runtimeClasses));
        compileClasspath.addAll(MavenResolver.jars(runtimeLib));
        compileClasspath.addAll(MavenResolver.jars(jars.compile()));
        javac(sourceFiles, compileClasspath, layout.function(), layout.scratch("javac-main"), log);
        copyResources(handler.resolve("src/main/resources"), layout.function());
        if (!Files.isRegularFile(layout.function().resolve("com/openfaas/function/Handler.class"))) {
            throw new TemplateException("java17 handler must define class com.openfaas.function.Handler (extends com.openfaas.model.AbstractHandler)");
        }

        TestReport report = runTests(context, layout, jars, runtimeLib);
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

    private TestReport runTests(TemplateContext context, Layout layout, MavenResolver.Resolved jars, Path runtimeLib) throws TemplateException {
        Path handler = context.handlerDir();
        List<Path> testSources = javaFiles(handler.resolve("src/test/java"));
        if (testSources.isEmpty()) {
            context.log().line("java17: no tests under src/test/java");
            return TestReport.none();
        }
        if ("false".equalsIgnoreCase(context.buildArgs().get("TEST_ENABLED"))) {
            context.log().line("java17: tests skipped: build_args TEST_ENABLED=false");
            return TestReport.none();
        }
        context.log().step("java17: compiling " + testSources.size() + " test sources");
        Path testClasses = layout.scratch("test-classes");
        List<Path> testClasspath = new ArrayList<>();
        testClasspath.add(layout.function());
        testClasspath.add(layout.runtime().resolve("classes"));
        testClasspath.addAll(MavenResolver.jars(runtimeLib));
        testClasspath.addAll(MavenResolver.jars(jars.test()));
        Path console = MavenResolver.jars(jars.tools()).get(0);
        List<Path> compileClasspath = new ArrayList<>(testClasspath);
        compileClasspath.add(console); // JUnit's API for compiling; at run time the launcher provides it
        javac(testSources, compileClasspath, testClasses, layout.scratch("javac-test"), context.log());
        copyResources(handler.resolve("src/test/resources"), testClasses);

        context.log().step("java17: running tests (time limit " + context.testTimeout().toSeconds() + " s)");
        testClasspath.add(0, testClasses);
        Path run = layout.scratch("test-run");
        List<String> command = List.of(tools.java().toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", console.toString(), "execute", "--disable-banner", "--disable-ansi-colors", "--details=tree",
                "--class-path", classpath(testClasspath), "--scan-class-path", testClasses.toString());
        ForkedProcess.Result result = new ForkedProcess("tests", command, run,
                tools.environment(context.workDir(), Map.of(), tools.java()), context.testTimeout()).run(context.log());
        TestReport report = JUnitSummary.parse(result.tail()).orElseThrow(() -> new TemplateException(
                "the test run ended without a JUnit summary (exit " + result.exitCode() + "); see the build log"));
        context.log().line("java17: tests run " + report.run() + ", failed " + report.failed() + ", skipped " + report.skipped());
        if (!report.passed()) {
            throw new TestsFailedException(report);
        }
        if (result.exitCode() != 0) {
            throw new TemplateException("the JUnit launcher exited with " + result.exitCode() + " although it reported no failed test; see the build log");
        }
        return report;
    }

    private void javac(List<Path> sources, List<Path> classpath, Path out, Path scratch, BuildLog log) throws TemplateException {
        Trees.mkdirs(out);
        StringBuilder args = new StringBuilder();
        for (Path source : sources) {
            args.append('"').append(source.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        Path argFile = scratch.resolve("sources.txt");
        try {
            Files.writeString(argFile, args, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TemplateException("could not write the javac argument file: " + e.getMessage(), e);
        }
        Path javac = tools.javac();
        List<String> command = List.of(javac.toString(), "--release", "17", "-encoding", "UTF-8", "-implicit:none",
                "-proc:none", "-d", out.toString(), "-cp", classpath(classpath), "@" + argFile);
        ForkedProcess.Result result = new ForkedProcess("javac", command, scratch,
                tools.environment(scratch, Map.of(), javac), COMPILE_TIMEOUT).run(log);
        if (result.exitCode() != 0) {
            throw new TemplateException("compilation failed (javac exit " + result.exitCode() + "):\n" + result.tailText(20));
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
