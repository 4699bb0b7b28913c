package dev.driftless.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHubAppKeyTest {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final Instant NOW = Instant.parse("2026-11-22T04:00:00Z");

    @Test
    void pkcs1AndPkcs8KeysSignJwtsThatVerifyWithThePublicHalf() throws Exception {
        assertTrue(TestKeys.pkcs1Pem().startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(TestKeys.pkcs8Pem().startsWith("-----BEGIN PRIVATE KEY-----"));
        for (String pem : new String[] {TestKeys.pkcs1Pem(), TestKeys.pkcs8Pem()}) {
            GitHubAppKey key = GitHubAppKey.fromPem(pem);
            String jwt = new AppJwt(4242, key, Clock.fixed(NOW, ZoneOffset.UTC)).create();
            JsonObject claims = TestKeys.verifiedClaims(jwt, TestKeys.RSA.getPublic());
            assertEquals("4242", claims.getString("iss"));
            assertEquals(NOW.getEpochSecond() - 60, claims.getLong("iat"));
            long exp = claims.getLong("exp");
            assertTrue(exp > NOW.getEpochSecond() && exp <= NOW.getEpochSecond() + 600, "exp within 10 minutes: " + exp);
        }
    }

    @Test
    void readsTheKeyFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.pem");
        Files.writeString(file, TestKeys.pkcs1Pem());
        GitHubAppKey key = GitHubAppKey.fromPem(file);
        TestKeys.verifiedClaims(new AppJwt(1, key, Clock.systemUTC()).create(), TestKeys.RSA.getPublic());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> GitHubAppKey.fromPem(dir.resolve("nope.pem")));
        assertTrue(missing.getMessage().contains("nope.pem"), missing.getMessage());
    }

    @Test
    void encryptedKeysAreRefusedWithAHint() throws Exception {
        char[] password = "secret".toCharArray();
        String pkcs1Encrypted = TestKeys.pem(new JcaMiscPEMGenerator(TestKeys.RSA.getPrivate(),
                new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build(password)));
        String pkcs8Encrypted = TestKeys.pem(new JcaPKCS8Generator(TestKeys.RSA.getPrivate(),
                new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(BC).setPassword(password).build()));
        assertTrue(pkcs1Encrypted.contains("Proc-Type: 4,ENCRYPTED"));
        assertTrue(pkcs8Encrypted.contains("BEGIN ENCRYPTED PRIVATE KEY"));
        for (String pem : new String[] {pkcs1Encrypted, pkcs8Encrypted}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GitHubAppKey.fromPem(pem));
            assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
        }
    }

    @Test
    void wrongKeyTypesAndGarbageAreRefusedClearly() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        var ecPair = ec.generateKeyPair();
        IllegalArgumentException ecKey = assertThrows(IllegalArgumentException.class,
                () -> GitHubAppKey.fromPem(TestKeys.pem(ecPair.getPrivate())));
        assertTrue(ecKey.getMessage().contains("EC") && ecKey.getMessage().contains("RSA"), ecKey.getMessage());
        IllegalArgumentException ecPkcs8 = assertThrows(IllegalArgumentException.class,
                () -> GitHubAppKey.fromPem(TestKeys.pem(new JcaPKCS8Generator(ecPair.getPrivate(), null).generate())));
        assertTrue(ecPkcs8.getMessage().contains("RSA"), ecPkcs8.getMessage());

        IllegalArgumentException publicKey = assertThrows(IllegalArgumentException.class,
                () -> GitHubAppKey.fromPem(TestKeys.pem(TestKeys.RSA.getPublic())));
        assertTrue(publicKey.getMessage().contains("public key"), publicKey.getMessage());

        IllegalArgumentException garbage = assertThrows(IllegalArgumentException.class,
                () -> GitHubAppKey.fromPem("this is not a key"));
        assertTrue(garbage.getMessage().contains("BEGIN RSA PRIVATE KEY"), garbage.getMessage());

        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
                () -> GitHubAppKey.fromPem("-----BEGIN RSA PRIVATE KEY-----\nAAAA!!!!\n-----END RSA PRIVATE KEY-----\n"));
        assertFalse(broken.getMessage().isBlank());
    }

    @Test
    void secretsNeverShowInToString() {
        GitHubAppKey key = TestKeys.appKey();
        String pemBody = TestKeys.pkcs1Pem().split("\n")[1];
        assertFalse(key.toString().contains(pemBody.substring(0, 20)));
        assertTrue(key.toString().contains("redacted"));
        GitHubCredentials pat = GitHubCredentials.personalAccessToken("ghp_supersecret");
        assertFalse(pat.toString().contains("supersecret"));
        GitHubConfig config = GitHubConfig.builder().credentials(pat).build();
        assertFalse(config.toString().contains("supersecret"));
        assertFalse(GitHubCredentials.app(7, key).toString().contains(pemBody.substring(0, 20)));
    }

    @Test
    void configReportsEveryProblemAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GitHubConfig.builder().apiBaseUrl("ftp://x").mode(null).build());
        assertTrue(e.getMessage().contains("apiBaseUrl") && e.getMessage().contains("credentials")
                && e.getMessage().contains("mode"), e.getMessage());
    }
}
