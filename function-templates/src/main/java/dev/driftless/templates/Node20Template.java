package dev.driftless.templates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code node20} (alias {@code node18}): OpenFaaS of-watchdog style {@code handler.js}
 * ({@code module.exports = async (event, context) => ...}). {@code package.json} dependencies are
 * installed with npm (without dev dependencies) into the dependencies layer, which lands at
 * {@code /home/app/node_modules} so Node's own module lookup from the handler finds it; tests run
 * with {@code npm test} when package.json has a test script.
 */
final class Node20Template implements FunctionTemplate {
    static final String NAME = "node20";
    private static final String RUNTIME = "/opt/driftless/runtime";
    private static final String MODULES = "/home/app/node_modules";
    private static final String FUNCTION = "/home/app/function";
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final String BUILD_STEPS_VERSION = "node20-build-1";
    private static final Set<String> SKIP_DIRS = Set.of("node_modules", ".git", ".npm");

    static final String CLASSIC_NAME = "node";

    private final String name;
    private final Set<String> aliases;
    private final String contract;
    private final HostTools tools;
    private final TemplateFiles files;
    private final String version;

    /** {@code node20} (alias {@code node18}): of-watchdog style {@code async (event, context)}. */
    static Node20Template ofWatchdog(HostTools tools, TemplateFiles files) {
        return new Node20Template(NAME, Set.of("node18"), "module.exports = async (event, context) => ...", tools, files);
    }

    /** {@code node}: OpenFaaS's classic template, {@code (context, callback)} with the request body as context. */
    static Node20Template classic(HostTools tools, TemplateFiles files) {
        return new Node20Template(CLASSIC_NAME, Set.of(), "module.exports = (context, callback) => ...", tools, files);
    }

    private Node20Template(String name, Set<String> aliases, String contract, HostTools tools, TemplateFiles files) {
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
        return "node:20-slim";
    }

    @Override
    public TemplateBuild build(TemplateContext context) throws TemplateException {
        BuildLog log = context.log();
        Path handler = context.handlerDir();
        if (!Files.isRegularFile(handler.resolve("handler.js"))) {
            throw new TemplateException(name + " handler folder of " + context.functionName()
                    + " has no handler.js (expected " + contract + ")");
        }
        Layout layout = Layout.in(context.workDir());
        Path node = tools.node();
        PackageJson packageJson = PackageJson.read(handler, node, tools.environment(context.workDir(), Map.of(), node));
        try {
            files.under("runtime").writeTo(layout.runtime());
            Trees.copy(handler, layout.function(), SKIP_DIRS, p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not lay out the " + name + " function: " + e.getMessage(), e);
        }

        // The dependencies layer: package.json's dependencies without devDependencies.
        Path modules = layout.dependencies();
        if (packageJson.dependencies() > 0) {
            log.step(name + ": npm install --omit=dev");
            Path install = npmInstall(handler, layout.scratch("npm-runtime"), true, context);
            moveModules(install.resolve("node_modules"), modules);
        } else {
            log.line(name + ": no dependencies in package.json");
        }

        // Require the handler once at build time: a syntax error or a missing module fails the build.
        Path checkRoot = copyForRun(layout, "check", modules);
        log.step(name + ": loading handler.js");
        ForkedProcess.Result check = new ForkedProcess("handler load", List.of(node.toString(), "-e",
                "const m = require(process.argv[1]); const h = typeof m === 'function' ? m : m && m.default;"
                        + " if (typeof h !== 'function') { console.error('handler.js must export a function (" + contract + ")'); process.exit(1); }",
                checkRoot.resolve("function/handler.js").toString()),
                checkRoot, tools.environment(context.workDir(), Map.of("NODE_ENV", "production"), node), CHECK_TIMEOUT).run(log);
        if (check.exitCode() != 0 && !check.tail().toString().contains("ERR_REQUIRE_ESM")) {
            throw new TemplateException("handler.js could not be loaded:\n" + check.tailText(15));
        }

        TestReport report = runTests(context, layout, packageJson, node);
        return new TemplateBuild(
                List.of(new ImageLayer("runtime", layout.runtime(), RUNTIME),
                        new ImageLayer("dependencies", modules, MODULES),
                        new ImageLayer("function", layout.function(), FUNCTION)),
                List.of("node", RUNTIME + "/index.js"),
                Map.of("PATH", HostTools.IMAGE_PATH, "NODE_ENV", "production", "DRIFTLESS_FUNCTION_DIR", FUNCTION),
                "/home/app",
                report);
    }

    private TestReport runTests(TemplateContext context, Layout layout, PackageJson packageJson, Path node) throws TemplateException {
        if (!packageJson.testScript()) {
            context.log().line(name + ": no test script in package.json");
            return TestReport.none();
        }
        if ("false".equalsIgnoreCase(context.buildArgs().get("TEST_ENABLED"))) {
            context.log().line(name + ": tests skipped: build_args TEST_ENABLED=false");
            return TestReport.none();
        }
        // Tests get their own copy with devDependencies installed; nothing of it reaches a layer.
        Path testDir = layout.scratch("npm-test");
        try {
            Trees.copy(context.handlerDir(), testDir, SKIP_DIRS, p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not copy the function for its tests: " + e.getMessage(), e);
        }
        if (packageJson.dependencies() + packageJson.devDependencies() > 0) {
            context.log().step(name + ": npm install (with devDependencies, for the tests)");
            npmInstall(context.handlerDir(), testDir, false, context);
        }
        context.log().step(name + ": npm test (time limit " + context.testTimeout().toSeconds() + " s)");
        Path npm = tools.npm();
        ForkedProcess.Result result = new ForkedProcess("tests", List.of(npm.toString(), "test"), testDir,
                npmEnv(context.workDir(), npm, node), context.testTimeout()).run(context.log());
        TestReport report = NodeTestSummary.parse(result.tail()).orElseGet(() -> {
            // Not node's test runner: all we know is npm test's exit code, so it counts as one test.
            context.log().line(name + ": test counts not reported by the test runner: counting npm test as one test");
            return new TestReport(1, result.exitCode() == 0 ? 0 : 1, 0);
        });
        context.log().line(name + ": tests run " + report.run() + ", failed " + report.failed() + ", skipped " + report.skipped());
        if (!report.passed()) {
            throw new TestsFailedException(report);
        }
        if (result.exitCode() != 0) {
            throw new TemplateException("npm test exited with " + result.exitCode() + " although the test runner reported no failure; see the build log");
        }
        return report;
    }

    /** Runs npm ci (with a lock file) or npm install in {@code dir}, holding a copy of package.json. */
    private Path npmInstall(Path handler, Path dir, boolean omitDev, TemplateContext context) throws TemplateException {
        boolean locked = Files.isRegularFile(handler.resolve("package-lock.json"));
        try {
            Files.copy(handler.resolve("package.json"), dir.resolve("package.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (locked) {
                Files.copy(handler.resolve("package-lock.json"), dir.resolve("package-lock.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new TemplateException("could not prepare npm install: " + e.getMessage(), e);
        }
        Path npm = tools.npm();
        List<String> command = new ArrayList<>(List.of(npm.toString(), locked ? "ci" : "install", "--no-audit", "--no-fund"));
        if (omitDev) {
            command.add("--omit=dev");
        }
        ForkedProcess.Result result = new ForkedProcess("npm install", command, dir,
                npmEnv(context.workDir(), npm, tools.node()), NPM_TIMEOUT).run(context.log());
        if (result.exitCode() != 0) {
            throw new TemplateException("npm " + (locked ? "ci" : "install") + " failed (exit " + result.exitCode() + "):\n" + result.tailText(15));
        }
        return dir;
    }

    private Map<String, String> npmEnv(Path home, Path npm, Path node) {
        return tools.environment(home, Map.of(
                "npm_config_cache", tools.npmCache().toString(),
                "npm_config_update_notifier", "false",
                "npm_config_fund", "false",
                "npm_config_audit", "false"), node, npm);
    }

    private static void moveModules(Path from, Path to) throws TemplateException {
        try {
            Trees.copy(from, to, Set.of(), p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not lay out node_modules: " + e.getMessage(), e);
        }
    }

    /** The function as {@code <root>/function} beside {@code <root>/node_modules}, as in the image. */
    private static Path copyForRun(Layout layout, String name, Path modules) throws TemplateException {
        Path root = layout.scratch(name);
        try {
            Trees.copy(layout.function(), root.resolve("function"), Set.of(), p -> false);
            Trees.copy(modules, root.resolve("node_modules"), Set.of(), p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not copy the function for " + name + ": " + e.getMessage(), e);
        }
        return root;
    }
}
