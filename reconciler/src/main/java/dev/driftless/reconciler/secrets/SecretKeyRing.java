package dev.driftless.reconciler.secrets;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The keys that encrypt secrets at rest: AES-256-GCM keys in a file (one {@code <id> <base64 key>} a line,
 * mode 0600), generated on first use. The last key encrypts; every key in the file decrypts, so after
 * {@link #rotate} values written under an older key stay readable until they are re-encrypted.
 * The key id travels with each ciphertext. Immutable: {@link #rotate} returns a new ring.
 */
public final class SecretKeyRing {
    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Pattern ID = Pattern.compile("k[0-9a-f]{8,32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Map<String, SecretKeySpec> keys; // insertion order: oldest first
    private final String activeId;

    private SecretKeyRing(Path file, Map<String, SecretKeySpec> keys) {
        this.file = file;
        this.keys = keys;
        this.activeId = List.copyOf(keys.keySet()).get(keys.size() - 1);
    }

    /** Reads the ring at {@code file}, creating it with one fresh key when it does not exist. */
    public static SecretKeyRing loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Map<String, SecretKeySpec> fresh = new LinkedHashMap<>();
            fresh.put(newId(), newKey());
            SecretKeyRing ring = new SecretKeyRing(file, fresh);
            ring.write();
            return ring;
        }
        return load(file);
    }

    /** Reads an existing ring; a malformed file fails naming the file and line (never printing a key). */
    public static SecretKeyRing load(Path file) throws IOException {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            byte[] key;
            try {
                key = parts.length == 2 ? Base64.getDecoder().decode(parts[1]) : new byte[0];
            } catch (IllegalArgumentException e) {
                key = new byte[0];
            }
            if (parts.length != 2 || !ID.matcher(parts[0]).matches() || key.length != 32) {
                throw new IOException(file + ":" + (i + 1) + ": expected '<key id> <base64 of 32 bytes>'");
            }
            keys.put(parts[0], new SecretKeySpec(key, "AES"));
        }
        if (keys.isEmpty()) {
            throw new IOException(file + ": holds no key");
        }
        return new SecretKeyRing(file, keys);
    }

    /** Adds a new active key, writes the file (atomically) and returns the new ring; old keys still decrypt. */
    public SecretKeyRing rotate() throws IOException {
        Map<String, SecretKeySpec> next = new LinkedHashMap<>(keys);
        next.put(newId(), newKey());
        SecretKeyRing ring = new SecretKeyRing(file, next);
        ring.write();
        return ring;
    }

    public String activeKeyId() {
        return activeId;
    }

    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    public Path file() {
        return file;
    }

    /** Encrypts under the active key: nonce || ciphertext+tag, bound to {@code associatedData}. */
    public Sealed encrypt(byte[] plaintext, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            byte[] body = cipher.doFinal(plaintext);
            return new Sealed(activeId, ByteBuffer.allocate(nonce.length + body.length).put(nonce).put(body).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Decrypts what {@link #encrypt} made; fails when the key is unknown or the data or binding was changed. */
    public byte[] decrypt(Sealed sealed, byte[] associatedData) throws GeneralSecurityException {
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new GeneralSecurityException("key " + sealed.keyId() + " is not in " + file);
        }
        return open(key, sealed.bytes(), associatedData);
    }

    static byte[] open(SecretKeySpec key, byte[] nonceAndBody, byte[] associatedData) throws GeneralSecurityException {
        if (nonceAndBody.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new GeneralSecurityException("ciphertext is too short");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonceAndBody, 0, NONCE_BYTES));
        cipher.updateAAD(associatedData);
        return cipher.doFinal(nonceAndBody, NONCE_BYTES, nonceAndBody.length - NONCE_BYTES);
    }

    /** A ciphertext and the id of the key that made it. */
    public record Sealed(String keyId, byte[] bytes) { }

    private void write() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        List<String> lines = new ArrayList<>();
        lines.add("# Driftless secret keys (AES-256-GCM): '<id> <base64 key>' a line. The last one encrypts, all decrypt.");
        lines.add("# Losing this file loses every stored secret; keep a copy where you keep other keys.");
        keys.forEach((id, key) -> lines.add(id + " " + Base64.getEncoder().encodeToString(key.getEncoded())));
        Path temporary = Files.createTempFile(parent, ".secret-keys", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(temporary, lines, StandardCharsets.US_ASCII);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static String newId() {
        byte[] id = new byte[5];
        RANDOM.nextBytes(id);
        return "k" + HexFormat.of().formatHex(id);
    }

    private static SecretKeySpec newKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new SecretKeySpec(key, "AES");
    }
}
