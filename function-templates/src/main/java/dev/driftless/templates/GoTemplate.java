package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go templates: {@code go} (OpenFaaS classic, {@code func Handle(req []byte) string}, forked per
 * request with the classic watchdog's {@code Http_*} variables) and {@code golang-middleware}
 * ({@code func Handle(w http.ResponseWriter, r *http.Request)}). Both build as the OpenFaaS templates do:
 * {@code gofmt -l} on the handler's own files (vendor excluded) must list nothing, {@code go test ./...}
 * must pass, then one static binary ({@code CGO_ENABLED=0}) with the template's entrypoint is the image's
 * only content, so the image needs no base beyond the embedded one. Builds are offline: dependencies
 * come from the handler's {@code vendor/} folder ({@code -mod=vendor}, {@code GOPROXY=off}).
 */
final class GoTemplate implements FunctionTemplate {
    static final String CLASSIC = "go";
    static final String MIDDLEWARE = "golang-middleware";
    static final String BINARY_DIR = "/home/app/bin";
    private static final String MAIN_DIR = "_driftless_main"; // "_" keeps it out of ./... patterns
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(10);
    private static final String BUILD_STEPS_VERSION = "go-build-1";
    private static final Set<String> SKIP_DIRS = Set.of(".git");
    private static final Pattern TEST_LINE = Pattern.compile("^\\s*--- (PASS|FAIL|SKIP): ");
    private static final Pattern GO_VERSION = Pattern.compile("go(\\d+\\.\\d+)");

    private final String name;
    private final String contract;
    private final HostTools tools;
    private final TemplateFiles files;
    private final String version;

    GoTemplate(String name, String contract, HostTools tools, TemplateFiles files) {
        this.name = name;
        this.contract = contract;
        this.tools = tools;
        this.files = files;
        this.version = files.hash(BUILD_STEPS_VERSION);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> aliases() {
        return Set.of();
    }

    @Override
    public String version() {
        return version;
    }

    /** A static binary needs no language runtime: the embedded base serves clusters too. */
    @Override
    public String clusterBaseImage() {
        return EMBEDDED_BASE;
    }

    @Override
    public TemplateBuild build(TemplateContext context) throws TemplateException {
        BuildLog log = context.log();
        Path handler = context.handlerDir();
        Layout layout = Layout.in(context.workDir());
        Path go = tools.go();
        Path src = layout.scratch("src");
        List<Path> ownGoFiles;
        try {
            Trees.copy(handler, src, SKIP_DIRS, p -> false);
            ownGoFiles = Trees.files(src, Set.of("vendor", ".git")).stream()
                    .filter(p -> p.getFileName().toString().endsWith(".go")).toList();
        } catch (IOException e) {
            throw new TemplateException("could not lay out the " + name + " function: " + e.getMessage(), e);
        }
        if (ownGoFiles.stream().noneMatch(p -> p.getParent().equals(src) && !p.getFileName().toString().endsWith("_test.go"))) {
            throw new TemplateException(name + " handler folder of " + context.functionName() + " has no .go file (expected "
                    + contract + ")");
        }
        gofmtCheck(src, ownGoFiles, log);

        Map<String, String> env = goEnv(context.workDir(), layout, go);
        GoModule module = GoModule.prepare(src, goVersion(go, env, layout));
        if (module.synthesized()) {
            log.line(name + ": no go.mod: using module " + module.modulePath() + " (as the OpenFaaS template names the function)");
        }
        module.describe().ifPresentOrElse(
                modules -> log.line(name + ": vendored modules (-mod=vendor): " + (modules.isEmpty() ? "none listed" : modules)),
                () -> log.line(name + ": no vendor folder: only the standard library and the function's own packages (builds are offline)"));
        env.put("GOFLAGS", (module.vendored() ? "-mod=vendor" : "-mod=mod") + " -buildvcs=false");

        try {
            Path main = src.resolve(MAIN_DIR).resolve("main.go");
            Files.createDirectories(main.getParent());
            String entry = new String(files.get("runtime/main.go.txt"), StandardCharsets.UTF_8)
                    .replace("__FUNCTION_IMPORT__", module.modulePath());
            Files.writeString(main, entry, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TemplateException("could not write the " + name + " entrypoint: " + e.getMessage(), e);
        }

        log.step(name + ": go build (CGO_ENABLED=0, static)");
        Path binary = Trees.mkdirs(layout.function()).resolve("handler");
        ForkedProcess.Result build = new ForkedProcess("go build", List.of(go.toString(), "build", "-trimpath", "-ldflags", "-s -w",
                "-o", binary.toString(), "./" + MAIN_DIR), src, env, TOOL_TIMEOUT).run(log);
        if (build.exitCode() != 0) {
            throw new TemplateException("go build failed (exit " + build.exitCode() + "):\n" + build.tailText(20) + offlineHint(build));
        }

        TestReport report = runTests(context, src, env, build);
        return new TemplateBuild(
                // One layer: the binary holds the entrypoint, the dependencies and the handler.
                List.of(new ImageLayer("function", layout.function(), BINARY_DIR)),
                List.of(BINARY_DIR + "/handler"),
                Map.of("PATH", HostTools.IMAGE_PATH),
                "/home/app",
                report);
    }

    /** As the OpenFaaS Dockerfile: {@code gofmt -l} over the function's files, vendor excluded, must print nothing. */
    private void gofmtCheck(Path src, List<Path> goFiles, BuildLog log) throws TemplateException {
        log.step(name + ": gofmt -l (" + goFiles.size() + " files, vendor excluded)");
        List<String> command = new ArrayList<>(List.of(tools.gofmt().toString(), "-l"));
        goFiles.forEach(p -> command.add(src.relativize(p).toString()));
        ForkedProcess.Result result = new ForkedProcess("gofmt", command, src,
                tools.environment(src, Map.of(), tools.gofmt()), TOOL_TIMEOUT).run(log);
        List<String> unformatted = result.tail().stream().filter(l -> !l.isBlank()).toList();
        if (result.exitCode() != 0) {
            throw new TemplateException("gofmt could not parse the function's Go files (exit " + result.exitCode() + "):\n" + result.tailText(15));
        }
        if (!unformatted.isEmpty()) {
            throw new TemplateException("gofmt: not formatted: " + String.join(", ", unformatted) + " (run \"gofmt -s -w\" on your Go code)");
        }
    }

    private TestReport runTests(TemplateContext context, Path src, Map<String, String> env, ForkedProcess.Result build) throws TemplateException {
        BuildLog log = context.log();
        if ("false".equalsIgnoreCase(context.buildArgs().get("TEST_ENABLED"))) {
            log.line(name + ": tests skipped: build_args TEST_ENABLED=false");
            return TestReport.none();
        }
        log.step(name + ": go test ./... -cover (time limit " + context.testTimeout().toSeconds() + " s)");
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        BuildLog counting = line -> {
            Matcher m = TEST_LINE.matcher(line);
            if (m.find()) {
                (switch (m.group(1)) {
                    case "PASS" -> passed;
                    case "FAIL" -> failed;
                    default -> skipped;
                }).incrementAndGet();
            }
            log.line(line);
        };
        ForkedProcess.Result result = new ForkedProcess("tests", List.of(env.get("GO"), "test", "-v", "-cover", "./..."),
                src, env, context.testTimeout()).run(counting);
        int run = passed.get() + failed.get() + skipped.get();
        TestReport report = new TestReport(run, failed.get(), skipped.get());
        log.line(name + ": tests run " + run + ", failed " + failed.get() + ", skipped " + skipped.get());
        if (!report.passed()) {
            throw new TestsFailedException(report);
        }
        if (result.exitCode() != 0) {
            // A test file that does not compile, a vet finding, a panic outside a test: no --- FAIL line, still a failure.
            throw new TemplateException("go test failed (exit " + result.exitCode() + "):\n" + result.tailText(20) + offlineHint(result));
        }
        return run == 0 ? TestReport.none() : report;
    }

    private Map<String, String> goEnv(Path home, Layout layout, Path go) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("GO", go.toString());
        extra.put("GOPATH", layout.scratch("gopath").toString());
        extra.put("GOCACHE", tools.goBuildCache().toString());
        extra.put("GOENV", "off");
        extra.put("GO111MODULE", "on");
        extra.put("GOPROXY", "off");
        extra.put("GOSUMDB", "off");
        extra.put("GOTOOLCHAIN", "local");
        extra.put("CGO_ENABLED", "0");
        extra.put("GOFLAGS", "-buildvcs=false");
        extra.put("TMPDIR", layout.scratch("tmp").toString());
        return new LinkedHashMap<>(tools.environment(home, extra, go));
    }

    /** {@code 1.19} for Go 1.19.8: the language version of a synthesized go.mod. */
    private static String goVersion(Path go, Map<String, String> env, Layout layout) throws TemplateException {
        ForkedProcess.Result result = new ForkedProcess("go env", List.of(go.toString(), "env", "GOVERSION"),
                layout.scratchRoot(), env, Duration.ofSeconds(60)).run(BuildLog.discard());
        Matcher m = GO_VERSION.matcher(String.join("\n", result.tail()));
        if (result.exitCode() != 0 || !m.find()) {
            throw new TemplateException("could not ask go for its version:\n" + result.tailText(5));
        }
        return m.group(1);
    }

    private static String offlineHint(ForkedProcess.Result result) {
        String text = String.join("\n", result.tail());
        return text.contains("GOPROXY=off") || text.contains("cannot find module providing package")
                || text.contains("is not in GOROOT") || text.contains("inconsistent vendoring")
                ? "\nGo builds here are offline: vendor the dependencies (go mod vendor) and commit the vendor folder"
                : "";
    }
}
