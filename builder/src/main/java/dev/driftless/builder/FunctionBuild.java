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
 * @param retryable failed for a reason outside the repository (the registry refused or broke off the image push, the
 *                  disk is full): building the same commit again later can succeed, so the job is retried
 */
public record FunctionBuild(
        String name,
        Outcome outcome,
        Optional<ImageRef> image,
        String reason,
        FunctionSpec spec,
        String cacheKey,
        boolean retryable) {

    public FunctionBuild(String name, Outcome outcome, Optional<ImageRef> image, String reason, FunctionSpec spec, String cacheKey) {
        this(name, outcome, image, reason, spec, cacheKey, false);
    }

    public enum Outcome { BUILT, REUSED, FAILED, SKIPPED }

    public boolean deployable() {
        return image.isPresent() && (outcome == Outcome.BUILT || outcome == Outcome.REUSED);
    }
}
