package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code python3}: the OpenFaaS classic Python template. The handler folder holds {@code handler.py}
 * with {@code def handle(req)} returning a string; {@code requirements.txt} is installed with pip into
 * the dependencies layer; {@code test_*.py}/{@code *_test.py} run with unittest in a forked python3.
 */
final class Python3Template implements FunctionTemplate {
    static final String NAME = "python3";
    private static final String RUNTIME = "/opt/driftless/runtime";
    private static final String PACKAGES = "/opt/driftless/python-packages";
    private static final String FUNCTION = "/home/app/function";
    private static final Duration PIP_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final String BUILD_STEPS_VERSION = "python3-build-1";
    /** Byte code and caches are made at run time; in a layer they would only break reproducibility. */
    static final Set<String> SKIP_DIRS = Set.of("__pycache__", ".pytest_cache", ".tox", ".venv", ".git");

    static final String HTTP_NAME = "python3-http";

    private final String name;
    private final Set<String> aliases;
    private final String contract;
    private final HostTools tools;
    private final TemplateFiles files;
    private final String version;

    /** {@code python3} (alias {@code python}: the OpenFaaS Cloud announcement's kubecon function says lang: python). */
    static Python3Template classic(HostTools tools, TemplateFiles files) {
        return new Python3Template(NAME, Set.of("python"), "def handle(req)", tools, files);
    }

    /** {@code python3-http}: OpenFaaS's {@code def handle(event, context)} returning statusCode, body, headers. */
    static Python3Template http(HostTools tools, TemplateFiles files) {
        return new Python3Template(HTTP_NAME, Set.of(), "def handle(event, context)", tools, files);
    }

    private Python3Template(String name, Set<String> aliases, String contract, HostTools tools, TemplateFiles files) {
        this.name = name;
        this.aliases = aliases;
        this.contract = contract;
        this.tools = tools;
        this.files = files;
        this.version = files.hash(name.equals(NAME) ? BUILD_STEPS_VERSION : name + "-build-1");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> aliases() {
        return aliases;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String clusterBaseImage() {
        return "python:3.11-slim";
    }

    @Override
    public TemplateBuild build(TemplateContext context) throws TemplateException {
        BuildLog log = context.log();
        Path handler = context.handlerDir();
        if (!Files.isRegularFile(handler.resolve("handler.py"))) {
            throw new TemplateException(name + " handler folder of " + context.functionName() + " has no handler.py (expected " + contract + ")");
        }
        Layout layout = Layout.in(context.workDir());
        Path python = tools.python3();
        try {
            files.under("runtime").writeTo(layout.runtime());
            Trees.copy(handler, layout.function(), SKIP_DIRS, p -> p.toString().endsWith(".pyc"));
            // The template imports the handler as the package "function", as OpenFaaS's index.py does.
            Path init = layout.function().resolve("__init__.py");
            if (!Files.exists(init)) {
                Files.writeString(init, "");
            }
        } catch (IOException e) {
            throw new TemplateException("could not lay out the " + name + " function: " + e.getMessage(), e);
        }
        installRequirements(handler.resolve("requirements.txt"), layout, python, log);

        // Import the handler once at build time: a syntax error fails the build, not the rollout.
        Path checkRoot = copyForRun(layout, "check");
        log.step(name + ": importing handler.py");
        ForkedProcess.Result check = new ForkedProcess("handler import", List.of(python.toString(), "-c",
                "import sys\nsys.path.append(sys.argv[1])\nimport function.handler as h\nif not callable(getattr(h, 'handle', None)):\n    raise SystemExit('handler.py defines no handle function (expected " + contract + ")')", checkRoot.resolve("function").toString()),
                checkRoot, pythonEnv(context.workDir(), layout, checkRoot, python), CHECK_TIMEOUT).run(log);
        if (check.exitCode() != 0) {
            throw new TemplateException("handler.py could not be imported:\n" + check.tailText(15));
        }

        TestReport report = runTests(context, layout, python);
        return new TemplateBuild(
                List.of(new ImageLayer("runtime", layout.runtime(), RUNTIME),
                        new ImageLayer("dependencies", layout.dependencies(), PACKAGES),
                        new ImageLayer("function", layout.function(), FUNCTION)),
                List.of("python3", RUNTIME + "/index.py"),
                Map.of("PATH", HostTools.IMAGE_PATH, "PYTHONPATH", PACKAGES, "PYTHONUNBUFFERED", "1",
                        "PYTHONDONTWRITEBYTECODE", "1", "DRIFTLESS_FUNCTION_DIR", FUNCTION),
                "/home/app",
                report);
    }

    private void installRequirements(Path requirements, Layout layout, Path python, BuildLog log) throws TemplateException {
        if (!Files.isRegularFile(requirements) || !hasRequirements(requirements)) {
            log.line(name + ": no requirements to install");
            return;
        }
        log.step(name + ": pip install -r requirements.txt");
        Path pipDir = layout.scratch("pip");
        ForkedProcess.Result pip = new ForkedProcess("pip install", List.of(python.toString(), "-m", "pip", "install",
                "--target", layout.dependencies().toString(), "--requirement", requirements.toString(),
                // --no-compile: .pyc files carry timestamps and would make the layer differ on every build.
                "--no-compile", "--no-cache-dir", "--disable-pip-version-check", "--no-input", "--no-warn-script-location",
                "--retries", "1", "--timeout", "30"),
                pipDir, tools.environment(pipDir, Map.of("PYTHONDONTWRITEBYTECODE", "1", "SOURCE_DATE_EPOCH", "315532800"), python),
                PIP_TIMEOUT).run(log);
        if (pip.exitCode() != 0) {
            throw new TemplateException("pip install -r requirements.txt failed (exit " + pip.exitCode() + "):\n" + pip.tailText(15));
        }
    }

    private static boolean hasRequirements(Path requirements) throws TemplateException {
        try {
            return Files.readAllLines(requirements, StandardCharsets.UTF_8).stream()
                    .map(String::strip).anyMatch(line -> !line.isEmpty() && !line.startsWith("#"));
        } catch (IOException e) {
            throw new TemplateException("could not read requirements.txt: " + e.getMessage(), e);
        }
    }

    private TestReport runTests(TemplateContext context, Layout layout, Path python) throws TemplateException {
        List<Path> tests;
        try {
            tests = Trees.files(layout.function(), SKIP_DIRS).stream().filter(Python3Template::isTestFile).toList();
        } catch (IOException e) {
            throw new TemplateException("could not list the handler's tests: " + e.getMessage(), e);
        }
        if (tests.isEmpty()) {
            context.log().line(name + ": no test_*.py or *_test.py files");
            return TestReport.none();
        }
        if ("false".equalsIgnoreCase(context.buildArgs().get("TEST_ENABLED"))) {
            context.log().line(name + ": tests skipped: build_args TEST_ENABLED=false");
            return TestReport.none();
        }
        context.log().step(name + ": running " + tests.size() + " test files with unittest (time limit " + context.testTimeout().toSeconds() + " s)");
        // Tests run on their own copy: files they write must not end up in the image.
        Path root = copyForRun(layout, "test");
        Path runner = root.resolve("driftless_run_tests.py");
        try {
            Files.write(runner, files.get("tools/run_tests.py"));
        } catch (IOException e) {
            throw new TemplateException("could not write the test runner: " + e.getMessage(), e);
        }
        ForkedProcess.Result result = new ForkedProcess("tests", List.of(python.toString(), runner.toString(), root.toString(), "function"),
                root.resolve("function"), pythonEnv(context.workDir(), layout, root, python), context.testTimeout()).run(context.log());
        TestReport report = UnittestSummary.parse(result.tail()).orElseThrow(() -> new TemplateException(
                "the test run ended without a unittest summary (exit " + result.exitCode() + "); see the build log"));
        context.log().line(name + ": tests run " + report.run() + ", failed " + report.failed() + ", skipped " + report.skipped());
        if (!report.passed()) {
            throw new TestsFailedException(report);
        }
        if (result.exitCode() != 0) {
            throw new TemplateException("the test run exited with " + result.exitCode() + " although unittest reported no failure; see the build log");
        }
        return report;
    }

    private static boolean isTestFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".py") && (name.startsWith("test_") || name.endsWith("_test.py"));
    }

    /** A copy of the function layer as {@code <root>/function}, so it imports as the package {@code function}. */
    private static Path copyForRun(Layout layout, String name) throws TemplateException {
        Path root = layout.scratch(name);
        try {
            Trees.copy(layout.function(), root.resolve("function"), SKIP_DIRS, p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not copy the function for " + name + ": " + e.getMessage(), e);
        }
        return root;
    }

    private Map<String, String> pythonEnv(Path home, Layout layout, Path root, Path python) {
        return tools.environment(home, Map.of(
                "PYTHONPATH", root + ":" + layout.dependencies(),
                "PYTHONDONTWRITEBYTECODE", "1",
                "PYTHONUNBUFFERED", "1"), python);
    }
}
