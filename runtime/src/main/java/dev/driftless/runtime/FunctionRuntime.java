package dev.driftless.runtime;

import java.util.List;
import java.util.Optional;

/**
 * Where functions run: Kubernetes (fabric8) or local sandboxed processes. Both pass the same
 * contract test suite.
 *
 * <p>Level-based: {@link #deploy} compares the desired deployment with what runs and writes only
 * when they differ, so calling it twice with the same input performs no write the second time.
 * Selection is always by the owner and repository labels the runtime recorded, never by name patterns.
 * Methods block (processes, HTTP to the API server); callers run them on worker threads.
 */
public interface FunctionRuntime extends AutoCloseable {

    /** {@code kubernetes} or {@code local}. */
    String kind();

    /**
     * Rolls the function out to {@code deployment}: start the new version, wait until it is ready,
     * move traffic to it, then stop the old one. If the new version never becomes ready, the old one
     * keeps serving and the result is {@link RolloutResult.Outcome#FAILED} with the reason.
     * Returns {@link RolloutResult.Outcome#UNCHANGED} without writing when it already runs as desired.
     */
    RolloutResult deploy(FunctionDeployment deployment) throws InterruptedException;

    /** What runs now for one repository of an owner (by our labels). */
    List<DeployedFunction> list(String owner, String repository);

    /** What runs now for an owner, across repositories. */
    List<DeployedFunction> listOwner(String owner);

    /** Stops and removes one function of a repository. No-op when it does not run. */
    void remove(String owner, String repository, String function) throws InterruptedException;

    /**
     * Scales one function to zero: nothing serves it any more, but it stays deployed as it is, and a runtime may
     * keep what starting the same deployment again would otherwise redo (the local runtime keeps the unpacked image
     * root and the launch plan; Kubernetes scales its Deployment to 0 replicas and marks it, so putting it back is a
     * wake, not drift). {@link #deploy} of the same deployment starts it again (a runtime that kept its pieces
     * starts only the process or pods; a deployment that differs rolls out as usual); {@link #remove} removes it for
     * good. While at zero a runtime lists it with {@code ready = desired = 0}, or not at all. No-op when it does not
     * run.
     *
     * <p>The default removes it: correct, only slower to start again.
     */
    default void scaleToZero(FunctionDeployment deployment) throws InterruptedException {
        remove(deployment.owner(), deployment.repository(), deployment.function());
    }

    /** The last lines the function's current instance wrote (stdout and stderr), oldest first. */
    List<String> recentLogs(String owner, String function, int maxLines);

    /** The deployed function, if any. */
    default Optional<DeployedFunction> find(String owner, String function) {
        return listOwner(owner).stream().filter(f -> f.function().equals(function)).findFirst();
    }

    /** Stops watching and, for the local runtime, stops every instance. */
    @Override
    void close();
}
