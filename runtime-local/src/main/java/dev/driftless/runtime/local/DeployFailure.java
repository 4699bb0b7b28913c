package dev.driftless.runtime.local;

/** A deploy that cannot proceed, with the machine-readable reason that goes into the rollout result. */
final class DeployFailure extends Exception {
    private final String reason;

    DeployFailure(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    DeployFailure(String reason, String message) {
        this(reason, message, null);
    }

    String reason() {
        return reason;
    }
}
