package dev.driftless.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** The secrets of the dashboard's sessions and sign-ins, and the hash a {@link SessionStore} keeps instead. */
public final class SessionSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SessionSecrets() { }

    /** A new session id, CSRF token or sign-in state: 256 random bits, base64url. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What a store keeps of a session id or state: its SHA-256, 64 lower-case hex digits. */
    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Whether a cookie's value can be one of our secrets at all; anything else is not worth a look-up. */
    public static boolean plausible(String secret) {
        return secret != null && !secret.isEmpty() && secret.length() <= 200;
    }
}
