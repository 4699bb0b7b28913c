package dev.driftless.templates;

import java.util.List;
import java.util.Map;

/**
 * The result of building one function with a template: what goes into the image.
 *
 * @param layers     image layers in order: template runtime, dependencies, function code (empty layers allowed)
 * @param entrypoint the command that starts the function's HTTP server; it listens on {@code $PORT}
 * @param environment environment the entrypoint needs (besides {@code PORT}, set by the runtime)
 * @param workingDirectory working directory inside the image
 * @param tests      what the handler's tests did ({@link TestReport#none()} when it has none)
 */
public record TemplateBuild(
        List<ImageLayer> layers,
        List<String> entrypoint,
        Map<String, String> environment,
        String workingDirectory,
        TestReport tests) {

    public TemplateBuild {
        layers = List.copyOf(layers);
        entrypoint = List.copyOf(entrypoint);
        environment = Map.copyOf(environment);
    }
}
