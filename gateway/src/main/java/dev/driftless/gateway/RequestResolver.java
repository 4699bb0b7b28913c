package dev.driftless.gateway;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a Host header and a raw (still percent-encoded) path into a {@link Resolution}. Everything
 * hostile is refused here, before a backend is looked up: foreign or malformed hosts, dot segments
 * (plain or encoded), encoded slashes and backslashes, control characters.
 */
final class RequestResolver {
    static final int MAX_HOST_LENGTH = 253;
    static final int MAX_PATH_LENGTH = 8192;
    private static final Pattern HOST_CHARS = Pattern.compile("[a-z0-9.-]+");
    private static final Pattern PORT = Pattern.compile(":[0-9]{1,5}$");

    private final String domain;

    RequestResolver(String domain) {
        this.domain = domain.toLowerCase(Locale.ROOT);
    }

    Resolution resolve(String hostHeader, String rawPath) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return new Resolution.Refuse(400, "missing Host header");
        }
        if (hostHeader.length() > MAX_HOST_LENGTH + 6) {
            return new Resolution.Refuse(400, "invalid Host header");
        }
        String host = PORT.matcher(hostHeader).replaceFirst("").toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1); // the absolute form names the same host
        }
        if (!HOST_CHARS.matcher(host).matches() || host.contains("..") || host.startsWith(".")) {
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
        if (host.endsWith("." + domain)) {
            String owner = host.substring(0, host.length() - domain.length() - 1);
            if (!FunctionAddress.isLabel(owner)) {
                return new Resolution.Refuse(421, "unknown host");
            }
            return function(owner, rawPath.substring(1), "");
        }
        return new Resolution.Refuse(421, "unknown host");
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
        for (String segment : lower.split("/", -1)) {
            String decoded = segment.replace("%2e", ".");
            if (decoded.equals(".") || decoded.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
