package dev.driftless.builder;

import java.util.Optional;

/**
 * What happened to one function of a build.
 *
 * @param name     the function's name
 * @param outcome  built, reused from the cache, failed, or skipped ({@code skip_build})
 * @param image    the image by digest (present when built or reused)
 * @param reason   a short reason a person can act on, e.g. {@code unit tests failed: 2 of 14} (failed only)
 * @param spec     the function's settings from stack.yml, for the runtime
 * @param cacheKey the content hash of the function's build inputs
 */
public record FunctionBuild(
        String name,
        Outcome outcome,
        Optional<ImageRef> image,
        String reason,
        FunctionSpec spec,
        String cacheKey) {

    public enum Outcome { BUILT, REUSED, FAILED, SKIPPED }

    public boolean deployable() {
        return image.isPresent() && (outcome == Outcome.BUILT || outcome == Outcome.REUSED);
    }
}
