package dev.driftless.builder;

/**
 * Progress of a build, as events: the reconciler stores log lines, the dashboard shows them live.
 * Called from the build's worker thread; implementations must not block for long.
 */
public interface BuildListener {
    /** A line of the whole build (checkout, stack.yml) when {@code function} is null, else of that function. */
    void log(String function, String line);

    /**
     * The commit is checked out at {@code repository} (read-only use, valid until the build returns): callers
     * read repository files the builder does not interpret, such as sealed secrets.
     */
    default void checkedOut(java.nio.file.Path repository) { }

    /** A function finished (built, reused, failed or skipped). */
    default void functionFinished(FunctionBuild result) { }

    static BuildListener discard() {
        return (function, line) -> { };
    }
}
