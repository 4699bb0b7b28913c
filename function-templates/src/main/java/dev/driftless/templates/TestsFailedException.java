package dev.driftless.templates;

/** The handler's own tests failed: nothing of this function is pushed or deployed. */
public class TestsFailedException extends TemplateException {
    private final TestReport report;

    public TestsFailedException(TestReport report) {
        super("unit tests failed: " + report.failed() + " of " + report.run());
        this.report = report;
    }

    public TestReport report() {
        return report;
    }
}
