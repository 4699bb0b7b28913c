package dev.driftless.reconciler.reconcile;

/**
 * Why a function is in its state: the reasons of its conditions, as constants a user can look up.
 * The message next to a reason says what to do.
 */
public enum Reason {
    /** A push is being built or rolled out. */
    Progressing,
    /** The current release serves traffic. */
    Deployed,
    /** Nothing to do: the runtime already runs the current release. */
    UpToDate,
    /** The function's handler did not compile or its template failed. Fix the code and push. */
    BuildFailed,
    /** The handler's own tests failed. Fix them and push. */
    TestsFailed,
    /** stack.yml does not validate. Fix the file at the line named and push. */
    StackInvalid,
    /** The new version never became ready; the previous release keeps serving. */
    RolloutFailed,
    /** Someone changed the function in the runtime by hand; it was put back. */
    DriftReverted,
    /** Another repository of the same owner already serves a function with this name. */
    NameTaken,
    /** The function was removed from stack.yml or its repository from the installation. */
    Pruned,
    /** A release was rolled back to an older one. */
    RolledBack,
    /** The repository is suspended: nothing is reconciled until it is resumed. */
    Suspended,
    /** A fault of Driftless itself (store, registry, API server); retried with backoff. */
    InternalError;

    /** The reason a successful rollout leaves a function Ready with. */
    static Reason of(dev.driftless.runtime.RolloutResult rollout) {
        return "DriftReverted".equals(rollout.reason()) ? DriftReverted : Deployed;
    }
}
