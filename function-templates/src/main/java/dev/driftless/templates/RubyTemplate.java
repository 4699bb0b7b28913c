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
 * {@code ruby}: the OpenFaaS classic ruby template, {@code class Handler; def run(req)} in
 * {@code handler.rb}, forked per request with the classic watchdog's {@code Http_*} variables. A
 * {@code Gemfile} is installed offline with {@code bundle install --local} from the gems vendored in
 * {@code vendor/cache} ({@code bundle cache}) into the dependencies layer; {@code *_test.rb} and
 * {@code test_*.rb} run with minitest before the image is made.
 */
final class RubyTemplate implements FunctionTemplate {
    static final String NAME = "ruby";
    private static final String RUNTIME = "/opt/driftless/runtime";
    private static final String GEMS = "/opt/driftless/ruby-gems";
    private static final String FUNCTION = "/home/app/function";
    private static final Duration BUNDLE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final String BUILD_STEPS_VERSION = "ruby-build-1";
    private static final Set<String> SKIP_DIRS = Set.of(".git", ".bundle");

    private final HostTools tools;
    private final TemplateFiles files;
    private final String version;

    RubyTemplate(HostTools tools, TemplateFiles files) {
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
        return "ruby:3.1-slim";
    }

    @Override
    public TemplateBuild build(TemplateContext context) throws TemplateException {
        BuildLog log = context.log();
        Path handler = context.handlerDir();
        if (!Files.isRegularFile(handler.resolve("handler.rb"))) {
            throw new TemplateException("ruby handler folder of " + context.functionName() + " has no handler.rb (expected class Handler with def run(req))");
        }
        Layout layout = Layout.in(context.workDir());
        Path ruby = tools.ruby();
        try {
            files.under("runtime").writeTo(layout.runtime());
            Trees.copy(handler, layout.function(), SKIP_DIRS, p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not lay out the ruby function: " + e.getMessage(), e);
        }
        boolean gemfile = Files.isRegularFile(layout.function().resolve("Gemfile"));
        if (gemfile) {
            bundleInstall(context, layout, ruby);
        } else {
            log.line("ruby: no Gemfile: only Ruby's standard library");
        }

        log.step("ruby: loading handler.rb");
        ForkedProcess.Result check = new ForkedProcess("handler load", List.of(ruby.toString(), "-e",
                (gemfile ? "require 'bundler/setup'; " : "") + "require './handler'; "
                        + "abort('handler.rb must define class Handler with def run(req)') unless defined?(Handler) && Handler.instance_method(:run)"),
                layout.function(), rubyEnv(context.workDir(), layout, ruby), CHECK_TIMEOUT).run(log);
        if (check.exitCode() != 0) {
            throw new TemplateException("handler.rb could not be loaded:\n" + check.tailText(15));
        }
        TestReport report = runTests(context, layout, ruby, gemfile);
        return new TemplateBuild(
                List.of(new ImageLayer("runtime", layout.runtime(), RUNTIME),
                        new ImageLayer("dependencies", layout.dependencies(), GEMS),
                        new ImageLayer("function", layout.function(), FUNCTION)),
                List.of("ruby", RUNTIME + "/index.rb"),
                gemfile ? Map.of("PATH", HostTools.IMAGE_PATH, "DRIFTLESS_FUNCTION_DIR", FUNCTION, "BUNDLE_PATH", GEMS,
                        "BUNDLE_GEMFILE", FUNCTION + "/Gemfile", "BUNDLE_APP_CONFIG", "/tmp/.bundle")
                        : Map.of("PATH", HostTools.IMAGE_PATH, "DRIFTLESS_FUNCTION_DIR", FUNCTION),
                "/home/app",
                report);
    }

    /** Offline: gems come from vendor/cache ({@code bundle cache}); Gemfile.lock is written into the function layer. */
    private void bundleInstall(TemplateContext context, Layout layout, Path ruby) throws TemplateException {
        context.log().step("ruby: bundle install --local (gems from vendor/cache, no network)");
        Path bundle = tools.bundle();
        ForkedProcess.Result result = new ForkedProcess("bundle install", List.of(bundle.toString(), "install", "--local", "--no-cache"),
                layout.function(), rubyEnv(context.workDir(), layout, ruby), BUNDLE_TIMEOUT).run(context.log());
        if (result.exitCode() != 0) {
            throw new TemplateException("bundle install --local failed (exit " + result.exitCode() + "):\n" + result.tailText(15)
                    + "\nRuby builds here are offline: vendor the gems with `bundle cache` and commit vendor/cache");
        }
    }

    private TestReport runTests(TemplateContext context, Layout layout, Path ruby, boolean gemfile) throws TemplateException {
        List<Path> tests;
        try {
            tests = Trees.files(layout.function(), Set.of(".git", "vendor")).stream().filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".rb") && (n.endsWith("_test.rb") || n.startsWith("test_"));
            }).toList();
        } catch (IOException e) {
            throw new TemplateException("could not list the handler's tests: " + e.getMessage(), e);
        }
        if (tests.isEmpty()) {
            context.log().line("ruby: no *_test.rb or test_*.rb files");
            return TestReport.none();
        }
        if ("false".equalsIgnoreCase(context.buildArgs().get("TEST_ENABLED"))) {
            context.log().line("ruby: tests skipped: build_args TEST_ENABLED=false");
            return TestReport.none();
        }
        context.log().step("ruby: running " + tests.size() + " test files with minitest (time limit " + context.testTimeout().toSeconds() + " s)");
        // Tests run on their own copy: files they write must not end up in the image.
        Path root = layout.scratch("test");
        try {
            Trees.copy(layout.function(), root, Set.of(), p -> false);
        } catch (IOException e) {
            throw new TemplateException("could not copy the function for its tests: " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(List.of(ruby.toString(), "-I", root.toString(), "-e",
                // minitest first: bundler/setup then limits gems to the Gemfile's, and minitest is rarely in it.
                "require 'minitest/autorun'; " + (gemfile ? "require 'bundler/setup'; " : "") + "ARGV.each { |f| require File.expand_path(f) }; ARGV.clear"));
        tests.forEach(t -> command.add(root.resolve(layout.function().relativize(t)).toString()));
        Map<String, String> env = new java.util.HashMap<>(rubyEnv(context.workDir(), layout, ruby));
        env.put("BUNDLE_GEMFILE", root.resolve("Gemfile").toString());
        ForkedProcess.Result result = new ForkedProcess("tests", command, root, env, context.testTimeout()).run(context.log());
        TestReport report = MinitestSummary.parse(result.tail()).orElseThrow(() -> new TemplateException(
                "the test run ended without a minitest summary (exit " + result.exitCode() + "):\n" + result.tailText(15)));
        context.log().line("ruby: tests run " + report.run() + ", failed " + report.failed() + ", skipped " + report.skipped());
        if (!report.passed()) {
            throw new TestsFailedException(report);
        }
        if (result.exitCode() != 0) {
            throw new TemplateException("the test run exited with " + result.exitCode() + " although minitest reported no failure; see the build log");
        }
        return report;
    }

    private Map<String, String> rubyEnv(Path home, Layout layout, Path ruby) {
        return tools.environment(home, Map.of(
                "BUNDLE_PATH", layout.dependencies().toString(),
                "BUNDLE_GEMFILE", layout.function().resolve("Gemfile").toString(),
                "BUNDLE_APP_CONFIG", layout.scratch("bundle-config").toString()), ruby);
    }
}
