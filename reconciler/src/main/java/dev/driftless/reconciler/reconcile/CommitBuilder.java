package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.BuildException;
import dev.driftless.builder.BuildRequest;
import dev.driftless.builder.BuildResult;

/** Turns a commit into images; the builder module's {@code Builder} in production. */
@FunctionalInterface
public interface CommitBuilder {
    BuildResult build(BuildRequest request) throws BuildException, InterruptedException;
}
