package dev.driftless.reconciler.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The local admin token: made on first start, printed once, and kept only as its SHA-256 hash in the
 * data folder ({@code admin-token.sha256}, mode 0600). Delete the file to get a new one at next start.
 */
final class AdminToken {
    static final String FILE = "admin-token.sha256";

    private final byte[] hash;

    private AdminToken(byte[] hash) {
        this.hash = hash;
    }

    /** Loads the hash, or makes a token, prints it once to {@code out}, and stores its hash. */
    static AdminToken loadOrCreate(Path data, PrintStream out) throws IOException {
        Path file = data.resolve(FILE);
        if (Files.exists(file)) {
            return new AdminToken(HexFormat.of().parseHex(Files.readString(file).strip()));
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String token = "dla_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.createDirectories(data);
        Path temp = Files.createTempFile(data, "admin-token", ".tmp");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(temp, HexFormat.of().formatHex(sha256(token)), StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        // Printed, not logged: it must not end up in log aggregation. Shown once.
        out.println();
        out.println("  Driftless admin token (shown once; log in to the dashboard with it): " + token);
        out.println();
        out.flush();
        return new AdminToken(sha256(token));
    }

    boolean matches(String token) {
        return token != null && MessageDigest.isEqual(hash, sha256(token));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
