package dev.driftless.webhook;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.vertx.core.buffer.Buffer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes what a webhook delivery meets before anything is stored: signature verification of any body against
 * any header, then parsing of the body as any event. A verifier may only say yes or no (yes only to the real
 * signature), and the parser may only return an event or throw {@link MalformedEventException} (a 400): any
 * other exception would be a 500 and is a finding. Lives in the module's package (package-private parser),
 * in the reliability module so that the suite stays additive.
 */
public final class WebhookFuzzTarget {
    private WebhookFuzzTarget() { }

    private static final String[] EVENTS = {"push", "ping", "installation", "installation_repositories", "check_run",
        "pull_request", "create", "delete", "repository", "", "PUSH"};
    private static final WebhookVerifier VERIFIER = new WebhookVerifier("It's a Secret to Everybody");

    /** One fuzz input: returns normally, or throws a finding. */
    public static void check(FuzzedDataProvider data) {
        String event = data.consumeBoolean() ? data.pickValue(EVENTS) : data.consumeString(40);
        String header = data.consumeString(100);
        byte[] body = data.consumeRemainingAsBytes();

        String real = VERIFIER.sign(body);
        assertTrue(VERIFIER.verify(body, real), "the real signature verifies");
        if (!header.equals(real)) {
            assertFalse(VERIFIER.verify(body, header), "a forged signature does not: " + header);
        }
        try {
            GitHubEvent parsed = GitHubEventParser.parse(event, Buffer.buffer(body));
            assertTrue(parsed != null, "an event or an exception");
        } catch (MalformedEventException expected) {
            // a clear 400
        }
    }
}
