package dev.driftless.reconciler.cli;

/** The command line is wrong; the message says how. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
