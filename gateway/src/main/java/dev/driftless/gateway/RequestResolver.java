package dev.driftless.gateway;

import java.util.Locale;

/**
 * Turns a Host header and a raw (still percent-encoded) path into a {@link Resolution}. Everything
 * hostile is refused here, before a backend is looked up: foreign or malformed hosts, dot segments
 * (plain or encoded), encoded slashes and backslashes, control characters.
 */
final class RequestResolver {
    static final int MAX_HOST_LENGTH = 253;
    static final int MAX_PATH_LENGTH = 8192;

    private final String domain;
    private final String dotDomain;

    RequestResolver(String domain) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.dotDomain = "." + this.domain;
    }

    Resolution resolve(String hostHeader, String rawPath) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return new Resolution.Refuse(400, "missing Host header");
        }
        if (hostHeader.length() > MAX_HOST_LENGTH + 6) {
            return new Resolution.Refuse(400, "invalid Host header");
        }
        // Runs for every request: plain loops instead of regular expressions.
        String host = withoutPort(hostHeader).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1); // the absolute form names the same host
        }
        if (!hostChars(host) || host.contains("..") || host.startsWith(".")) {
            return new Resolution.Refuse(400, "invalid Host header");
        }
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/' || rawPath.length() > MAX_PATH_LENGTH) {
            return new Resolution.Refuse(400, "invalid path");
        }
        if (!safePath(rawPath)) {
            return new Resolution.Refuse(400, "invalid path");
        }
        if (host.equals(domain)) {
            return bareDomain(rawPath);
        }
        if (host.endsWith(dotDomain)) {
            String owner = host.substring(0, host.length() - domain.length() - 1);
            if (!FunctionAddress.isLabel(owner)) {
                return new Resolution.Refuse(421, "unknown host");
            }
            return function(owner, rawPath.substring(1), "");
        }
        return new Resolution.Refuse(421, "unknown host");
    }

    /** The host without a trailing {@code :<1 to 5 digits>}. */
    private static String withoutPort(String hostHeader) {
        int colon = hostHeader.lastIndexOf(':');
        int digits = hostHeader.length() - colon - 1;
        if (colon < 0 || digits < 1 || digits > 5) {
            return hostHeader;
        }
        for (int i = colon + 1; i < hostHeader.length(); i++) {
            char c = hostHeader.charAt(i);
            if (c < '0' || c > '9') {
                return hostHeader;
            }
        }
        return hostHeader.substring(0, colon);
    }

    /** Non-empty, only {@code a-z 0-9 . -}. */
    private static boolean hostChars(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code /f/<owner>/<function>/<rest>} is a function; anything else belongs to the fallback. */
    private Resolution bareDomain(String rawPath) {
        if (!rawPath.equals("/f") && !rawPath.startsWith("/f/")) {
            return new Resolution.Fallback();
        }
        String afterF = rawPath.length() > 3 ? rawPath.substring(3) : "";
        int slash = afterF.indexOf('/');
        String owner = slash < 0 ? afterF : afterF.substring(0, slash);
        if (owner.isEmpty()) {
            return new Resolution.Refuse(404, "function not found");
        }
        if (!FunctionAddress.isLabel(owner)) {
            return new Resolution.Refuse(400, "invalid owner name");
        }
        return function(owner, slash < 0 ? "" : afterF.substring(slash + 1), "/f/" + owner);
    }

    /** {@code rest} is what follows the owner: {@code <function>[/<path>]}. */
    private static Resolution function(String owner, String rest, String prefix) {
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        if (name.isEmpty()) {
            return new Resolution.Refuse(404, "function not found");
        }
        if (!FunctionAddress.isLabel(name)) {
            return new Resolution.Refuse(400, "invalid function name");
        }
        String path = slash < 0 ? "/" : rest.substring(slash);
        return new Resolution.Forward(new FunctionAddress(owner, name), prefix + "/" + name, path);
    }

    /**
     * No backslash, no encoded slash or backslash, no control characters, no segment that is (or
     * decodes to) {@code .} or {@code ..}. The path then passes to the function as it came, so what
     * the gateway checked is exactly what the function gets.
     */
    static boolean safePath(String rawPath) {
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("\\") || lower.contains("%5c") || lower.contains("%2f") || lower.contains("%00")) {
            return false;
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c < 0x21 || c == 0x7f) {
                return false;
            }
        }
        int start = 0;
        while (start <= lower.length()) {
            int end = lower.indexOf('/', start);
            if (end < 0) {
                end = lower.length();
            }
            if (dotSegment(lower, start, end)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    /** True when {@code lower[from, to)} decodes to {@code .} or {@code ..} (each dot plain or {@code %2e}). */
    private static boolean dotSegment(String lower, int from, int to) {
        int dots = 0;
        int i = from;
        while (i < to) {
            if (lower.charAt(i) == '.') {
                i++;
            } else if (i + 3 <= to && lower.startsWith("%2e", i)) {
                i += 3;
            } else {
                return false;
            }
            dots++;
        }
        return dots == 1 || dots == 2;
    }
}
