package dev.driftless.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real components that {@code scripts/test.sh} starts or fetches, found through environment
 * variables. Outside CI a missing component skips the test (a developer may run one module alone);
 * under {@code CI=true} it fails the test: CI never passes by skipping.
 */
public enum RealComponent {
    /** JDBC URL of a throwaway PostgreSQL, e.g. {@code jdbc:postgresql://127.0.0.1:55432/driftless?user=driftless}. */
    POSTGRES("DRIFTLESS_TEST_PG_URL"),
    /** host:port of a plain-HTTP docker-registry, e.g. {@code 127.0.0.1:55000}. */
    REGISTRY("DRIFTLESS_TEST_REGISTRY"),
    /** {@code user:password@host:port} of a plain-HTTP docker-registry that asks for that user (htpasswd). */
    AUTH_REGISTRY("DRIFTLESS_TEST_AUTH_REGISTRY"),
    /** Path of {@code api.github.com/index.json} from {@code @octokit/webhooks-examples}. */
    WEBHOOK_EXAMPLES("DRIFTLESS_TEST_WEBHOOK_EXAMPLES"),
    /** Path of the Chromium binary. */
    CHROMIUM("DRIFTLESS_TEST_CHROMIUM"),
    /** Path of chromedriver. */
    CHROMEDRIVER("DRIFTLESS_TEST_CHROMEDRIVER"),
    /** Path of the bubblewrap binary ({@code bwrap}). */
    BWRAP("DRIFTLESS_TEST_BWRAP"),
    /** Path of pasta (Debian package {@code passt}), the local runtime's network per instance. */
    PASTA("DRIFTLESS_TEST_PASTA");

    private final String variable;

    RealComponent(String variable) {
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }

    /** The component's address or path; skips the test when it is missing, or fails it under CI=true. */
    public String require() {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            String message = name() + " is not available: " + variable + " is not set (scripts/test.sh sets it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message + "; under CI=true a missing real component is a failure");
            }
            Assumptions.abort(message);
        }
        return value;
    }

    public boolean available() {
        String value = System.getenv(variable);
        return value != null && !value.isBlank();
    }
}
