package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** An RSA key made for the test run, written as GitHub writes it (PKCS#1) and as PKCS#8. */
final class TestKeys {
    static final KeyPair RSA = generate();

    private TestKeys() {}

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code -----BEGIN RSA PRIVATE KEY-----}. */
    static String pkcs1Pem() {
        return pem(RSA.getPrivate());
    }

    /** {@code -----BEGIN PRIVATE KEY-----}. */
    static String pkcs8Pem() {
        try {
            return pem(new JcaPKCS8Generator(RSA.getPrivate(), null).generate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    static GitHubAppKey appKey() {
        return GitHubAppKey.fromPem(pkcs1Pem());
    }

    /** The JWT's claims if its RS256 signature verifies with {@code publicKey}; throws otherwise. */
    static JsonObject verifiedClaims(String jwt, PublicKey publicKey) throws Exception {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new AssertionError("not a JWS compact serialization: " + parts.length + " parts");
        }
        Base64.Decoder b64 = Base64.getUrlDecoder();
        JsonObject header = new JsonObject(new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
        if (!"RS256".equals(header.getString("alg"))) {
            throw new AssertionError("alg is " + header.getString("alg"));
        }
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey);
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        if (!verifier.verify(b64.decode(parts[2]))) {
            throw new AssertionError("JWT signature does not verify with the public key");
        }
        return new JsonObject(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
    }
}
