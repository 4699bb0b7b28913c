package dev.driftless.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalCertificateAuthorityTest {
    @TempDir
    Path tls;

    @Test
    void firstStartWritesTheCaAndAWildcardCertificateWithPrivateKeysReadableOnlyByTheOwner() throws Exception {
        assertTrue(LocalCertificateAuthority.in(tls, "fn.example.com").ensure());
        for (String file : List.of("ca.pem", "ca-key.pem", "server.pem", "server-key.pem")) {
            assertTrue(Files.isRegularFile(tls.resolve(file)), file);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("ca-key.pem"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("server-key.pem"))));
        X509Certificate ca = LocalCertificateAuthority.readCertificate(tls.resolve("ca.pem"));
        X509Certificate leaf = LocalCertificateAuthority.readCertificate(tls.resolve("server.pem"));
        leaf.verify(ca.getPublicKey());
        assertEquals(Set.of("fn.example.com", "*.fn.example.com", "localhost"), LocalCertificateAuthority.dnsNames(leaf));
        assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(san -> "127.0.0.1".equals(san.get(1))));
        assertEquals(-1, leaf.getBasicConstraints(), "the server certificate is not a CA");
        assertTrue(ca.getBasicConstraints() >= 0);
        assertEquals("EC", leaf.getPublicKey().getAlgorithm());
        long caYears = Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()).toDays() / 365;
        long leafDays = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()).toDays();
        assertEquals(10, caYears);
        assertEquals(365, leafDays);
    }

    @Test
    void aSecondStartKeepsTheFilesAndADomainChangeReissuesOnlyTheServerCertificate() throws Exception {
        LocalCertificateAuthority.in(tls, "fn.example.com").ensure();
        String ca = Files.readString(tls.resolve("ca.pem"));
        String server = Files.readString(tls.resolve("server.pem"));
        assertFalse(LocalCertificateAuthority.in(tls, "fn.example.com").ensure());
        assertEquals(server, Files.readString(tls.resolve("server.pem")));

        assertTrue(LocalCertificateAuthority.in(tls, "other.example.org").ensure());
        assertEquals(ca, Files.readString(tls.resolve("ca.pem")), "users keep trusting the same CA");
        assertTrue(LocalCertificateAuthority.dnsNames(LocalCertificateAuthority.readCertificate(tls.resolve("server.pem")))
                .contains("*.other.example.org"));
    }

    @Test
    void expiredCertificatesAreRegenerated() throws Exception {
        LocalCertificateAuthority.in(tls, "localhost").ensure();
        X509Certificate leaf = LocalCertificateAuthority.readCertificate(tls.resolve("server.pem"));
        X509Certificate ca = LocalCertificateAuthority.readCertificate(tls.resolve("ca.pem"));

        Clock nextYear = Clock.fixed(Instant.now().plus(Duration.ofDays(366)), ZoneOffset.UTC);
        assertTrue(LocalCertificateAuthority.in(tls, "localhost", nextYear).ensure());
        assertNotEquals(leaf.getSerialNumber(), LocalCertificateAuthority.readCertificate(tls.resolve("server.pem")).getSerialNumber());
        assertEquals(ca.getSerialNumber(), LocalCertificateAuthority.readCertificate(tls.resolve("ca.pem")).getSerialNumber());

        Clock in11Years = Clock.fixed(Instant.now().plus(Duration.ofDays(11 * 365)), ZoneOffset.UTC);
        assertTrue(LocalCertificateAuthority.in(tls, "localhost", in11Years).ensure());
        assertNotEquals(ca.getSerialNumber(), LocalCertificateAuthority.readCertificate(tls.resolve("ca.pem")).getSerialNumber());
    }

    @Test
    void aDamagedServerKeyIsReplaced() throws Exception {
        LocalCertificateAuthority.in(tls, "localhost").ensure();
        Files.writeString(tls.resolve("server-key.pem"), "garbage");
        assertTrue(LocalCertificateAuthority.in(tls, "localhost").ensure());
        LocalCertificateAuthority.checkPair(LocalCertificateAuthority.readCertificate(tls.resolve("server.pem")),
                LocalCertificateAuthority.readKey(tls.resolve("server-key.pem")));
    }

    @Test
    void ownerHostsAreNamedExplicitlyUnderASingleLabelDomain() throws Exception {
        Path folder = tls.resolve("owners");
        LocalCertificateAuthority authority = LocalCertificateAuthority.in(folder, "localhost");
        authority.ensure();
        assertFalse(LocalCertificateAuthority.dnsNames(LocalCertificateAuthority.readCertificate(authority.serverCertificate()))
                .contains("alice.localhost"));

        assertTrue(authority.coverOwnerHost("alice"), "a new owner reissues the certificate");
        assertFalse(authority.coverOwnerHost("alice"), "a known owner changes nothing");
        assertTrue(authority.coverOwnerHost("bob"));
        assertFalse(authority.coverOwnerHost("../evil"), "only DNS labels");

        var names = LocalCertificateAuthority.dnsNames(LocalCertificateAuthority.readCertificate(authority.serverCertificate()));
        assertTrue(names.containsAll(java.util.Set.of("localhost", "*.localhost", "alice.localhost", "bob.localhost")), names.toString());
        assertFalse(authority.ensure(), "the reissued certificate is still usable: nothing rewritten at the next start");
        assertTrue(LocalCertificateAuthority.dnsNames(LocalCertificateAuthority.readCertificate(authority.serverCertificate()))
                .contains("alice.localhost"));
        assertFalse(LocalCertificateAuthority.in(tls.resolve("multi"), "fn.example.com").coverOwnerHost("alice"),
                "*.fn.example.com already covers alice.fn.example.com");
    }
}
