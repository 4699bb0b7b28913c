package dev.driftless.gateway;

import java.util.regex.Pattern;

/**
 * An owner's function, as addressed by {@code https://<owner>.<domain>/<function>}. Both parts are
 * DNS-1123 labels, which is also what makes them safe in a Host header and a path.
 */
public record FunctionAddress(String owner, String function) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public FunctionAddress {
        if (owner == null || !LABEL.matcher(owner).matches()) {
            throw new IllegalArgumentException("owner is not a DNS-1123 label: " + owner);
        }
        if (function == null || !LABEL.matcher(function).matches()) {
            throw new IllegalArgumentException("function is not a DNS-1123 label: " + function);
        }
    }

    public static boolean isLabel(String value) {
        return value != null && LABEL.matcher(value).matches();
    }

    @Override
    public String toString() {
        return owner + "/" + function;
    }
}
