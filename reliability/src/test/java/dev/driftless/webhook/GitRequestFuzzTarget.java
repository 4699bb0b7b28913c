package dev.driftless.webhook;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the git smart-HTTP request line: path, method and {@code service} parameter. Parsing may only yield a
 * request for a valid owner and repository or throw {@link GitRequest.Invalid} (a 4xx); what it accepts never
 * climbs out of the repositories folder.
 */
public final class GitRequestFuzzTarget {
    private GitRequestFuzzTarget() { }

    private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "get", ""};
    private static final String[] SERVICES = {"git-upload-pack", "git-receive-pack", "git-upload-archive", ""};
    private static final String[] PREFIXES = {"/git/", "/git/alice/", "/git/alice/fns.git/", "/", ""};

    /** One fuzz input: returns normally, or throws a finding. */
    public static void check(FuzzedDataProvider data) {
        String method = data.pickValue(METHODS);
        String service = data.consumeBoolean() ? null : data.consumeBoolean() ? data.pickValue(SERVICES) : data.consumeString(30);
        String path = data.pickValue(PREFIXES) + data.consumeRemainingAsString();
        try {
            GitRequest request = GitRequest.parse(path, method, service);
            String text = request.toString();
            assertFalse(text.contains(".."), "an accepted request names no parent folder: " + text);
            assertTrue(text.length() < path.length() + 400, "bounded");
        } catch (GitRequest.Invalid expected) {
            // a clear 4xx
        }
    }
}
