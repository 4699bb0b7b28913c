package dev.driftless.builder;

import dev.driftless.templates.FunctionTemplate;
import dev.driftless.templates.ImageLayer;
import dev.driftless.templates.TemplateBuild;
import dev.driftless.templates.TemplateContext;
import dev.driftless.templates.TemplateException;
import dev.driftless.templates.TestReport;
import dev.driftless.templates.TestsFailedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only template: the handler's files become the function layer under {@code /home/app/function},
 * a fixed runtime layer and a dependency layer from {@code deps.txt}. A handler with a file {@code FAIL}
 * "fails its tests" (1 of 2), one with {@code BROKEN} fails to compile. Counts its builds.
 */
final class FakeTemplate implements FunctionTemplate {
    final AtomicInteger builds = new AtomicInteger();
    private final String name;
    private final Set<String> aliases;

    FakeTemplate(String name, String... aliases) {
        this.name = name;
        this.aliases = Set.of(aliases);
    }

    @Override public String name() { return name; }
    @Override public Set<String> aliases() { return aliases; }
    @Override public String version() { return "fake-1"; }
    @Override public String clusterBaseImage() { return "example.invalid/" + name + ":1"; }

    @Override
    public TemplateBuild build(TemplateContext context) throws TemplateException {
        builds.incrementAndGet();
        context.log().line("fake build of " + context.functionName() + " with build args " + context.buildArgs());
        try {
            if (Files.exists(context.handlerDir().resolve("BROKEN"))) {
                throw new TemplateException("compilation failed: Handler.java:3: ';' expected");
            }
            if (Files.exists(context.handlerDir().resolve("BROKEN_ARGS"))) {
                throw new TemplateException("cannot use build args " + context.buildArgs());
            }
            if (Files.exists(context.handlerDir().resolve("NOISY"))) {
                for (int i = 0; i < 10_000; i++) {
                    context.log().line("noisy line " + i);
                }
            }
            if (Files.exists(context.handlerDir().resolve("FAIL"))) {
                context.log().line("test_hello FAILED: expected 'hi' but was 'ho'");
                throw new TestsFailedException(new TestReport(2, 1, 0));
            }
            Path runtime = Files.createDirectories(context.workDir().resolve("runtime"));
            Files.writeString(runtime.resolve("entrypoint.sh"), "#!/bin/sh\nexec cat /home/app/function/handler.txt\n");
            runtime.resolve("entrypoint.sh").toFile().setExecutable(true);
            Path deps = Files.createDirectories(context.workDir().resolve("deps"));
            if (Files.exists(context.handlerDir().resolve("deps.txt"))) {
                Files.copy(context.handlerDir().resolve("deps.txt"), deps.resolve("deps.txt"));
            }
            Path function = Files.createDirectories(context.workDir().resolve("function"));
            HandlerStage.copyTree(context.handlerDir(), function, context.handlerDir().toRealPath());
            return new TemplateBuild(
                    List.of(new ImageLayer("runtime", runtime, "/opt/runtime"),
                            new ImageLayer("dependencies", deps, "/home/app/deps"),
                            new ImageLayer("function", function, "/home/app/function")),
                    List.of("/opt/runtime/entrypoint.sh"),
                    Map.of("FAKE_TEMPLATE", name),
                    "/home/app/function",
                    new TestReport(2, 0, 0));
        } catch (IOException e) {
            throw new TemplateException("fake template could not write its layers: " + e.getMessage(), e);
        }
    }
}
