package dev.driftless.runtime.kubernetes;

/** The deployment asks for something Kubernetes or our tenant walls refuse; nothing was written. */
final class InvalidFunctionSpec extends Exception {
    InvalidFunctionSpec(String message) {
        super(message);
    }
}
