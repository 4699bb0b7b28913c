package dev.driftless.reconciler.cli;

/** What {@code driftless} exits with. */
public enum ExitCode {
    OK(0), RUNTIME_FAILURE(1), USAGE(2), CONFIGURATION(3);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
