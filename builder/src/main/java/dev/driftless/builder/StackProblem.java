package dev.driftless.builder;

/**
 * One problem found in stack.yml, with where it is. {@link #toString()} reads like a compiler's:
 * {@code stack.yml:12:5: unknown lang 'cobol' (supported: java17, java11, python3, node20, node18)}.
 */
public record StackProblem(String file, int line, int column, Severity severity, String message) {
    public enum Severity { ERROR, WARNING }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (severity == Severity.WARNING ? "warning: " : "") + message;
    }
}
