package dev.driftless.templates;

import java.util.Set;

/**
 * One language template: how a handler folder becomes the files of an image.
 *
 * <p>A template compiles the handler with the template's entrypoint, runs the handler's own tests
 * in a separate process (never in the daemon), and lays the result out as ordered image layers:
 * runtime, dependencies, function code. The builder turns those layers into an OCI image with Jib.
 */
public interface FunctionTemplate {

    /** The canonical {@code lang} value, e.g. {@code java17}. */
    String name();

    /** Other {@code lang} values that mean this template, e.g. {@code java11} for {@code java17}. */
    Set<String> aliases();

    /** A version string that changes whenever the template's files or build steps change (cache key input). */
    String version();

    /**
     * {@link #clusterBaseImage()} of templates whose images need no language runtime (a static binary):
     * the base made on this machine serves clusters too, and nothing is pulled.
     */
    String EMBEDDED_BASE = "";

    /**
     * Base image for clusters, e.g. {@code eclipse-temurin:17-jre}, or {@link #EMBEDDED_BASE}. The embedded
     * default uses a base made on this machine.
     */
    String clusterBaseImage();

    /** Prepare, compile and test. Throws {@link TestsFailedException} when the handler's tests fail. */
    TemplateBuild build(TemplateContext context) throws TemplateException;
}
