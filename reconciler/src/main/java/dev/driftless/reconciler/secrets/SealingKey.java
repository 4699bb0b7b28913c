package dev.driftless.reconciler.secrets;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Sealed secrets: a value encrypted for this daemon so that it can sit in a git repository, as
 * {@code kubeseal} does. A fresh AES-256-GCM key encrypts the value, RSA-OAEP (SHA-256) with the daemon's
 * public key wraps that key, and the owner and the secret's name are bound as associated data: a value
 * sealed for {@code alice/db-password} does not open as {@code bob/db-password} or {@code alice/other}.
 *
 * <p>Text form, one line: {@code driftless-sealed:v1:<base64url>} of
 * {@code fingerprint(8) || wrappedKeyLength(2) || wrappedKey || nonce(12) || ciphertext+tag}, where the
 * fingerprint is the first 8 bytes of SHA-256 of the public key (which key sealed it).
 */
public final class SealingKey {
    public static final String PREFIX = "driftless-sealed:v1:";
    private static final int RSA_BITS = 3072;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final OAEPParameterSpec OAEP = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT);

    private final PublicKey publicKey;
    private final Optional<PrivateKey> privateKey;

    private SealingKey(PublicKey publicKey, Optional<PrivateKey> privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /**
     * The daemon's key pair: the private key at {@code privateFile} (PKCS#8 PEM, mode 0600), created on first
     * use, and its public half written beside it as {@code <name>.pub.pem} for {@code driftless secret seal}.
     */
    public static SealingKey loadOrCreate(Path privateFile) throws IOException {
        if (!Files.exists(privateFile, LinkOption.NOFOLLOW_LINKS)) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(RSA_BITS, RANDOM);
                KeyPair pair = generator.generateKeyPair();
                Files.createDirectories(privateFile.toAbsolutePath().getParent());
                Path temporary = Files.createTempFile(privateFile.toAbsolutePath().getParent(), ".sealing", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(temporary, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                Files.move(temporary, privateFile);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("RSA is not available", e);
            }
        }
        SealingKey key = load(privateFile);
        Path publicFile = publicFileOf(privateFile);
        String publicPem = key.publicKeyPem();
        if (!Files.exists(publicFile) || !Files.readString(publicFile).equals(publicPem)) {
            Files.writeString(publicFile, publicPem);
        }
        return key;
    }

    /** Where {@link #loadOrCreate} writes the public key: {@code sealing-key.pem} → {@code sealing-key.pub.pem}. */
    public static Path publicFileOf(Path privateFile) {
        String name = privateFile.getFileName().toString().replaceFirst("\\.pem$", "");
        return privateFile.resolveSibling(name + ".pub.pem");
    }

    static SealingKey load(Path privateFile) throws IOException {
        try {
            PrivateKey privateKey = KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(privateFile), "PRIVATE KEY", privateFile)));
            if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
                throw new IOException(privateFile + ": not an RSA private key with its public exponent");
            }
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new SealingKey(publicKey, Optional.of(privateKey));
        } catch (GeneralSecurityException e) {
            throw new IOException(privateFile + ": not an RSA private key (PKCS#8 PEM): " + e.getMessage());
        }
    }

    /** A public key only (from {@code sealing-key.pub.pem} or the API): it seals, it cannot open. */
    public static SealingKey fromPublicPem(String pem) throws IOException {
        try {
            return new SealingKey(KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(unpem(pem, "PUBLIC KEY", null))), Optional.empty());
        } catch (GeneralSecurityException e) {
            throw new IOException("not an RSA public key (PEM): " + e.getMessage());
        }
    }

    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    /** First 8 bytes of SHA-256 of the public key, hex: names the key that sealed a value. */
    public String fingerprint() {
        return HexFormat.of().formatHex(fingerprintBytes());
    }

    /** Seals {@code value} for {@code owner}'s secret {@code name}; the result is one line of text. */
    public String seal(String owner, String name, byte[] value) {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            SecretKey dataKey = generator.generateKey();
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.ENCRYPT_MODE, publicKey, OAEP, RANDOM);
            byte[] wrapped = rsa.doFinal(dataKey.getEncoded());
            byte[] nonce = new byte[SecretKeyRing.NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(128, nonce));
            aes.updateAAD(binding(owner, name));
            byte[] body = aes.doFinal(value);
            ByteBuffer out = ByteBuffer.allocate(8 + 2 + wrapped.length + nonce.length + body.length)
                    .put(fingerprintBytes()).putShort((short) wrapped.length).put(wrapped).put(nonce).put(body);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-OAEP or AES-GCM is not available", e);
        }
    }

    /**
     * Opens a sealed value for {@code owner}'s secret {@code name}.
     *
     * @throws GeneralSecurityException when it is not a sealed value, was sealed with another daemon's key, or
     *                                  for another owner or name, or was changed
     */
    public byte[] unseal(String owner, String name, String text) throws GeneralSecurityException {
        PrivateKey key = privateKey.orElseThrow(() -> new GeneralSecurityException("only the public key is loaded"));
        String line = text.strip();
        if (!line.startsWith(PREFIX)) {
            throw new GeneralSecurityException("not a sealed secret (expected a line starting with " + PREFIX + ")");
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(line.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("not a sealed secret: the base64 part is damaged");
        }
        ByteBuffer in = ByteBuffer.wrap(raw);
        if (raw.length < 10) {
            throw new GeneralSecurityException("not a sealed secret: too short");
        }
        byte[] fingerprint = new byte[8];
        in.get(fingerprint);
        if (!MessageDigest.isEqual(fingerprint, fingerprintBytes())) {
            throw new GeneralSecurityException("sealed with another key (" + HexFormat.of().formatHex(fingerprint)
                    + "), not this daemon's (" + fingerprint() + ")");
        }
        int wrappedLength = Short.toUnsignedInt(in.getShort());
        if (in.remaining() < wrappedLength + SecretKeyRing.NONCE_BYTES + 16) {
            throw new GeneralSecurityException("not a sealed secret: truncated");
        }
        byte[] wrapped = new byte[wrappedLength];
        in.get(wrapped);
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        rsa.init(Cipher.DECRYPT_MODE, key, OAEP);
        byte[] dataKey = rsa.doFinal(wrapped);
        try {
            return SecretKeyRing.open(new SecretKeySpec(dataKey, "AES"), rest, binding(owner, name));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException("sealed for another owner or secret name (or changed)");
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** What a sealed value is bound to: the owner (case-insensitive, as GitHub logins are) and the name. */
    static byte[] binding(String owner, String name) {
        return ("driftless-sealed:v1\0" + owner.toLowerCase(Locale.ROOT) + "\0" + name).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] fingerprintBytes() {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()), 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(String text, String type, Path file) throws IOException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException((file == null ? "" : file + ": ") + "no " + begin + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException((file == null ? "" : file + ": ") + "damaged PEM");
        }
    }
}
