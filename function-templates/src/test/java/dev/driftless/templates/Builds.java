package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test helper: one function build in temp folders, with its build log kept for assertions. */
final class Builds {
    static final Templates TEMPLATES = Templates.builtIn();

    final Path handler;
    final Path work;
    final List<String> log = new CopyOnWriteArrayList<>();
    Map<String, String> buildArgs = Map.of();
    Duration testTimeout = Duration.ofSeconds(60);

    Builds(Path tempDir) throws IOException {
        this.handler = Files.createDirectories(tempDir.resolve("handler"));
        this.work = Files.createDirectories(tempDir.resolve("work"));
    }

    static Builds ofSample(String lang, Path tempDir) throws IOException {
        Builds b = new Builds(tempDir);
        TEMPLATES.writeSample(lang, b.handler);
        return b;
    }

    Builds file(String path, String content) throws IOException {
        Path file = handler.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return this;
    }

    TemplateBuild build(String lang) throws TemplateException {
        FunctionTemplate template = TEMPLATES.find(lang).orElseThrow();
        return template.build(new TemplateContext("fn", handler, work, buildArgs, testTimeout, log::add));
    }

    String logText() {
        return String.join("\n", log);
    }
}
