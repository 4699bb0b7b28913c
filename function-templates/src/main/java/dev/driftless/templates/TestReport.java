package dev.driftless.templates;

/** Counts of the handler's own tests, as reported by the language's test runner. */
public record TestReport(int run, int failed, int skipped) {
    public static TestReport none() {
        return new TestReport(0, 0, 0);
    }

    public boolean passed() {
        return failed == 0;
    }
}
