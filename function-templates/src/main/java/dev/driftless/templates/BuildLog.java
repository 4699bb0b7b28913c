package dev.driftless.templates;

/**
 * Where a build writes lines a user can follow. Implementations cap the size and redact secrets;
 * templates only write.
 */
@FunctionalInterface
public interface BuildLog {
    void line(String text);

    default void step(String text) {
        line("==> " + text);
    }

    static BuildLog discard() {
        return text -> { };
    }
}
