package dev.driftless.status;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The GitHub App's RSA private key, read from the PEM GitHub hands out (PKCS#1,
 * {@code BEGIN RSA PRIVATE KEY}) or from PKCS#8 ({@code BEGIN PRIVATE KEY}). Anything else is refused
 * with an error that says what was found. The key material never appears in {@link #toString()}.
 */
public final class GitHubAppKey {
    private final RSAPrivateKey key;

    private GitHubAppKey(RSAPrivateKey key) {
        this.key = key;
    }

    public static GitHubAppKey fromPem(Path file) {
        Objects.requireNonNull(file, "file");
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the GitHub App private key file " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromPem(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static GitHubAppKey fromPem(String pem) {
        Objects.requireNonNull(pem, "pem");
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            // The message of BC's exception may quote key bytes; do not pass it on.
            throw new IllegalArgumentException("the GitHub App private key is not valid PEM (" + e.getClass().getSimpleName() + ")");
        }
        if (parsed == null) {
            throw new IllegalArgumentException("no PEM block found: expected '-----BEGIN RSA PRIVATE KEY-----' (PKCS#1)"
                    + " or '-----BEGIN PRIVATE KEY-----' (PKCS#8)");
        }
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IllegalArgumentException("the GitHub App private key is encrypted; use the unencrypted PEM"
                    + " GitHub generated (openssl rsa -in key.pem -out plain.pem)");
        }
        PrivateKeyInfo info;
        if (parsed instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (parsed instanceof PrivateKeyInfo keyInfo) {
            info = keyInfo;
        } else {
            throw new IllegalArgumentException("the PEM holds a " + describe(parsed)
                    + ", not a private key; expected the GitHub App's RSA private key");
        }
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (!PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
            throw new IllegalArgumentException("the GitHub App private key is a " + algorithmName(algorithm)
                    + " key; GitHub Apps sign with RSA (RS256)");
        }
        PrivateKey privateKey;
        try {
            privateKey = new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            throw new IllegalArgumentException("the GitHub App private key cannot be decoded (" + e.getClass().getSimpleName() + ")");
        }
        if (!(privateKey instanceof RSAPrivateKey rsa)) {
            throw new IllegalArgumentException("the GitHub App private key is a " + privateKey.getAlgorithm()
                    + " key; GitHub Apps sign with RSA (RS256)");
        }
        if (rsa.getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException("the RSA key has " + rsa.getModulus().bitLength() + " bits; GitHub requires at least 2048");
        }
        return new GitHubAppKey(rsa);
    }

    private static String algorithmName(ASN1ObjectIdentifier oid) {
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
            return "EC";
        }
        if (EdECObjectIdentifiers.id_Ed25519.equals(oid) || EdECObjectIdentifiers.id_Ed448.equals(oid)) {
            return "EdDSA";
        }
        if (X9ObjectIdentifiers.id_dsa.equals(oid)) {
            return "DSA";
        }
        return "non-RSA (" + oid.getId() + ")";
    }

    private static String describe(Object parsed) {
        String name = parsed.getClass().getSimpleName();
        if (name.contains("Certificate")) {
            return "certificate";
        }
        if (name.contains("PublicKey")) {
            return "public key";
        }
        return name;
    }

    RSAPrivateKey privateKey() {
        return key;
    }

    @Override
    public String toString() {
        return "GitHubAppKey[RSA " + key.getModulus().bitLength() + " bits, redacted]";
    }
}
