package dev.driftless.runtime.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** Kubernetes' naming rules, checked here before anything reaches the API server. */
final class KubeNames {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    private KubeNames() {
    }

    /** RFC 1123 label: what Deployment, Service and Namespace names must be here. */
    static boolean isDnsLabel(String s) {
        return s != null && s.length() <= 63 && DNS_LABEL.matcher(s).matches();
    }

    static boolean isDnsSubdomain(String s) {
        if (s == null || s.isEmpty() || s.length() > 253) {
            return false;
        }
        for (String part : s.split("\\.", -1)) {
            if (!isDnsLabel(part)) {
                return false;
            }
        }
        return true;
    }

    static boolean isLabelValue(String s) {
        return s != null && s.length() <= 63 && LABEL_VALUE.matcher(s).matches();
    }

    /** A label or annotation key: optional DNS subdomain prefix, then a name of at most 63 characters. */
    static boolean isQualifiedName(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0 && !isDnsSubdomain(key.substring(0, slash))) {
            return false;
        }
        return name.length() <= 63 && NAME_PART.matcher(name).matches();
    }

    /**
     * A DNS label made from any text: lower-cased, other characters turned into '-', and, when that changed
     * anything beyond case or the result is longer than {@code maxLength}, shortened with a hash of the
     * original appended, so two different inputs never end on the same name.
     */
    static String safeLabel(String text, int maxLength) {
        String lower = text.toLowerCase(Locale.ROOT);
        String cleaned = lower.replaceAll("[^a-z0-9-]", "-").replaceAll("^-+", "").replaceAll("-+$", "");
        if (cleaned.equals(lower) && cleaned.length() <= maxLength && !cleaned.isEmpty()) {
            return cleaned;
        }
        String hash = sha256Hex(text).substring(0, 10);
        int room = maxLength - hash.length() - 1;
        String head = cleaned.length() > room ? cleaned.substring(0, room) : cleaned;
        head = head.replaceAll("-+$", "");
        return head.isEmpty() ? "h" + hash : head + "-" + hash;
    }

    /** A label value that stands for {@code text}: the text itself when it is one, else a hashed safe form. */
    static String labelValue(String text) {
        return isLabelValue(text) ? text : safeLabel(text, 63);
    }

    static String sha256Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
