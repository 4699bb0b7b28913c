package dev.driftless.templates;

import java.nio.file.Path;

/**
 * The folders of one build inside the builder's work folder: the three layer folders the image is
 * made of, and scratch space for tools (kept apart so nothing of a tool run leaks into a layer).
 */
record Layout(Path runtime, Path dependencies, Path function, Path scratchRoot) {

    static Layout in(Path workDir) {
        Path layers = workDir.resolve("layers");
        return new Layout(Trees.mkdirs(layers.resolve("runtime")), Trees.mkdirs(layers.resolve("dependencies")),
                Trees.mkdirs(layers.resolve("function")), Trees.mkdirs(workDir.resolve("scratch")));
    }

    Path scratch(String name) {
        return Trees.mkdirs(scratchRoot.resolve(name));
    }
}
