package dev.driftless.builder;

/**
 * The commit as a whole could not be built (checkout refused by a guard, stack.yml invalid, time
 * limit). The message is short and says what the user must fix; it never contains a token.
 */
public class BuildException extends Exception {
    public BuildException(String message) {
        super(message);
    }

    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
