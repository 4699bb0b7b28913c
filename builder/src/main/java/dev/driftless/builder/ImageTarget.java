package dev.driftless.builder;

import com.google.cloud.tools.jib.api.JibContainerBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Where built images go; also reads them back. */
interface ImageTarget extends ImageSource {
    /** The image repository of a function: {@code <registry>/<owner>/<repo>/<function>}, lower-case. */
    String repository(String owner, String repo, String function);

    /**
     * Builds and stores the image; {@code tag} is for humans only, the result is pinned by digest.
     */
    ImageRef containerize(JibContainerBuilder container, String repository, String tag, JibSettings jib, Consumer<String> log)
            throws IOException, InterruptedException;

    /** Whether the image (manifest and blobs) is still there, so a cached result may be reused. */
    boolean exists(ImageRef ref) throws IOException, InterruptedException;

    /**
     * @param insecureBase pull the base image over plain HTTP (configured by the operator)
     * @param baseCache    Jib's cache of base image layers (kept between builds)
     * @param appCache     Jib's cache of application layers (the build's workspace: their sources live there)
     */
    record JibSettings(boolean insecureBase, Path baseCache, Path appCache) { }

    /** A name segment safe in an image repository path. */
    static String segment(String text) {
        String s = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
        return s.isEmpty() ? "x" : s;
    }
}
