package dev.driftless.templates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code csharp}: the OpenFaaS classic csharp contract ({@code Function.FunctionHandler.Handle(string input)})
 * compiled with Mono's {@code mcs}, since Debian ships Mono and no .NET SDK. The handler's {@code .cs}
 * files and the entrypoint become {@code function.exe}, run with {@code mono}; {@code *Test.cs} /
 * {@code *Tests.cs} files are compiled with a small reflection runner and gate the deploy. The
 * {@code .csproj} is not read (no NuGet: only the framework assemblies Mono ships).
 */
final class CsharpTemplate implements FunctionTemplate {
    static final String NAME = "csharp";
    private static final String FUNCTION = "/home/app/function";
    private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(5);
    private static final String BUILD_STEPS_VERSION = "csharp-build-1";
    private static final Set<String> SKIP_DIRS = Set.of(".git", "bin", "obj");
    private static final Pattern SUMMARY = Pattern.compile("^csharp tests: (\\d+) run, (\\d+) failed$");

    private final HostTools tools;
    private final TemplateFiles files;
    private final String version;

    CsharpTemplate(HostTools tools, TemplateFiles files) {
        this.tools = tools;
        this.files = files;
        this.version = files.hash(BUILD_STEPS_VERSION);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aliases() {
        return Set.of();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String clusterBaseImage() {
        return "mono:6.12";
    }

    @Override
    public TemplateBuild build(TemplateContext context) throws TemplateException {
        BuildLog log = context.log();
        Path handler = context.handlerDir();
        Layout layout = Layout.in(context.workDir());
        Path mcs = tools.mcs();
        Path mono = tools.mono();
        Path src = layout.scratch("src");
        List<Path> sources;
        List<Path> tests;
        try {
            Trees.copy(handler, src, SKIP_DIRS, p -> false);
            List<Path> all = Trees.files(src, SKIP_DIRS).stream().filter(p -> p.toString().endsWith(".cs")).toList();
            tests = all.stream().filter(CsharpTemplate::isTestFile).toList();
            sources = all.stream().filter(p -> !isTestFile(p)).toList();
            Files.write(layout.scratch("entry").resolve("DriftlessEntrypoint.cs"), files.get("runtime/DriftlessEntrypoint.cs.txt"));
            Files.write(layout.scratch("entry").resolve("DriftlessTestRunner.cs"), files.get("tools/DriftlessTestRunner.cs.txt"));
            Files.write(layout.function().resolve("mono.config"), files.get("runtime/mono.config"));
        } catch (IOException e) {
            throw new TemplateException("could not lay out the csharp function: " + e.getMessage(), e);
        }
        if (sources.isEmpty()) {
            throw new TemplateException("csharp handler folder of " + context.functionName()
                    + " has no .cs file (expected namespace Function { public class FunctionHandler { public string Handle(string input) } })");
        }
        Path exe = layout.function().resolve("function.exe");
        log.step("csharp: mcs (" + sources.size() + " files)");
        List<Path> build = new ArrayList<>(sources);
        build.add(layout.scratch("entry").resolve("DriftlessEntrypoint.cs"));
        compile(mcs, exe, "Driftless.Entrypoint.Program", build, src, context, "mcs");

        TestReport report = TestReport.none();
        if (tests.isEmpty()) {
            log.line("csharp: no *Test.cs or *Tests.cs files");
        } else if ("false".equalsIgnoreCase(context.buildArgs().get("TEST_ENABLED"))) {
            log.line("csharp: tests skipped: build_args TEST_ENABLED=false");
        } else {
            report = runTests(context, layout, mcs, mono, sources, tests, src);
        }
        return new TemplateBuild(
                List.of(new ImageLayer("function", layout.function(), FUNCTION)),
                // The image has no /etc/mono/config: the template's copy maps libc and Mono's native helpers.
                List.of("mono", "--config", FUNCTION + "/mono.config", FUNCTION + "/function.exe"),
                Map.of("PATH", HostTools.IMAGE_PATH),
                "/home/app",
                report);
    }

    private void compile(Path mcs, Path out, String main, List<Path> files, Path dir, TemplateContext context, String label)
            throws TemplateException {
        List<String> command = new ArrayList<>(List.of(mcs.toString(), "-nologo", "-optimize+", "-deterministic",
                "-target:exe", "-out:" + out, "-main:" + main));
        files.forEach(f -> command.add(f.toString()));
        ForkedProcess.Result result = new ForkedProcess(label, command, dir, tools.environment(context.workDir(), Map.of(), mcs),
                COMPILE_TIMEOUT).run(context.log());
        if (result.exitCode() != 0) {
            throw new TemplateException("mcs failed (exit " + result.exitCode() + "):\n" + result.tailText(20));
        }
    }

    private TestReport runTests(TemplateContext context, Layout layout, Path mcs, Path mono, List<Path> sources, List<Path> tests,
                                Path src) throws TemplateException {
        context.log().step("csharp: compiling and running " + tests.size() + " test files (time limit " + context.testTimeout().toSeconds() + " s)");
        Path testDir = layout.scratch("tests");
        Path exe = testDir.resolve("tests.exe");
        List<Path> all = new ArrayList<>(sources);
        all.addAll(tests);
        all.add(layout.scratch("entry").resolve("DriftlessTestRunner.cs"));
        compile(mcs, exe, "Driftless.Testing.Runner", all, src, context, "mcs tests");
        ForkedProcess.Result result = new ForkedProcess("tests", List.of(mono.toString(), exe.toString()), testDir,
                tools.environment(context.workDir(), Map.of(), mono), context.testTimeout()).run(context.log());
        Optional<TestReport> report = result.tail().stream().map(SUMMARY::matcher).filter(Matcher::matches)
                .map(m -> new TestReport(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 0)).reduce((a, b) -> b);
        TestReport r = report.orElseThrow(() -> new TemplateException("the test run ended without a summary (exit "
                + result.exitCode() + "):\n" + result.tailText(15)));
        if (!r.passed()) {
            throw new TestsFailedException(r);
        }
        if (result.exitCode() != 0) {
            throw new TemplateException("the test run exited with " + result.exitCode() + " although no test failed; see the build log");
        }
        return r;
    }

    private static boolean isTestFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith("Test.cs") || name.endsWith("Tests.cs");
    }
}
