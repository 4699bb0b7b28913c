package dev.driftless.gateway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the gateway's request resolution (Host header and raw path): it never throws, refusals are 4xx, and a
 * request it forwards names a valid owner and function and a path with no dot segment (plain or encoded) and no encoded
 * slash or backslash that could reach another function or the host (in the path; the query string is the function's business).
 */
public final class RequestResolverFuzzTarget {
    private RequestResolverFuzzTarget() { }

    private static final RequestResolver RESOLVER = new RequestResolver("localhost");
    private static final String[] HOSTS = {"alice.localhost", "localhost:8443", "alice.localhost.", "ALICE.LOCALHOST",
        "evil.com", "a.b.localhost", ""};
    private static final String[] PATHS = {"/hello", "/f/alice/hello", "/f/alice/hello/x?y=1", "/", "/%2e%2e/"};

    /** One fuzz input: returns normally, or throws a finding. */
    public static void check(FuzzedDataProvider data) {
        String host = data.consumeBoolean() ? data.pickValue(HOSTS) : data.consumeString(80);
        String raw = (data.consumeBoolean() ? data.pickValue(PATHS) : "") + data.consumeRemainingAsString();
        // What the gateway resolves is Vert.x's request.path(): it ends where the query starts.
        String path = raw.contains("?") ? raw.substring(0, raw.indexOf('?')) : raw;
        Resolution resolution = RESOLVER.resolve(host, path);
        if (resolution instanceof Resolution.Refuse refuse) {
            assertTrue(refuse.status() >= 400 && refuse.status() < 500, "a refusal is a 4xx: " + refuse);
        } else if (resolution instanceof Resolution.Forward forward) {
            assertTrue(FunctionAddress.isLabel(forward.address().owner()), "owner: " + forward);
            assertTrue(FunctionAddress.isLabel(forward.address().function()), "function: " + forward);
            String forwarded = forward.path();
            String lower = forwarded.toLowerCase(java.util.Locale.ROOT);
            assertFalse(lower.contains("%2f") || lower.contains("%5c") || forwarded.contains("\\"),
                    "no encoded slash or backslash is forwarded: " + forward);
            for (String segment : lower.replace("%2e", ".").split("/", -1)) {
                assertFalse(segment.equals(".") || segment.equals(".."), "no dot segment is forwarded: " + forward);
            }
        }
    }
}
