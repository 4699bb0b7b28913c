package dev.driftless.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import dev.driftless.testsupport.Await;

import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS with the generated local CA and with configured PEM files, reload without restart, HTTP to HTTPS. */
class GatewayTlsTest {
    @TempDir
    Path data;

    @Test
    void handshakeVerifiesAgainstTheGeneratedCaForSubdomainBareDomainAndLoopbackIp() throws Exception {
        try (GatewayHarness harness = new GatewayHarness(data, UnaryOperator.identity())) {
            harness.function("alice", "hello", "v1");
            // Hostname verification on: SNI and the checked name are alice.localhost, trust is only ca.pem.
            RawHttps.Response sub = harness.client.get(harness.port(), "alice.localhost", "/hello");
            assertEquals(200, sub.status());
            assertTrue(sub.text().contains("\"version\":\"v1\""), sub.text());
            assertEquals(200, harness.client.get(harness.port(), "localhost", "/f/alice/hello").status());
            assertEquals(200, harness.client.send(harness.port(), "127.0.0.1",
                    "GET /hello HTTP/1.1\r\nHost: alice.localhost\r\nConnection: close\r\n\r\n", null).status());
            assertEquals(harness.gateway.caCertificate().orElseThrow(), data.resolve("tls/ca.pem"));
        }
    }

    @Test
    void aClientTrustingAnotherCaRefusesTheHandshake(@TempDir Path other) throws Exception {
        LocalCertificateAuthority.in(other, "localhost").ensure();
        try (GatewayHarness harness = new GatewayHarness(data, UnaryOperator.identity())) {
            RawHttps stranger = RawHttps.trusting(other.resolve("ca.pem"));
            assertThrows(SSLHandshakeException.class, () -> stranger.connect(harness.port(), "alice.localhost"));
        }
    }

    @Test
    void aReissuedLocalCertificateIsServedWithoutRestart() throws Exception {
        try (GatewayHarness harness = new GatewayHarness(data, UnaryOperator.identity())) {
            BigInteger before = serial(harness, "alice.localhost");
            X509Certificate reissued = LocalCertificateAuthority.in(data.resolve("tls"), "localhost").issueServerCertificate();
            assertNotEquals(before, reissued.getSerialNumber());
            assertEquals(reissued.getSerialNumber(), pollForSerial(harness, before));
        }
    }

    @Test
    void configuredPemFilesAreServedAndReloadedWhenReplaced(@TempDir Path pem) throws Exception {
        // A "real" wildcard certificate stand-in: issued by a CA made elsewhere, given to the gateway as PEM files.
        Path issuer = pem.resolve("issuer");
        LocalCertificateAuthority authority = LocalCertificateAuthority.in(issuer, "localhost");
        authority.ensure();
        Path chain = pem.resolve("chain.pem");
        Path key = pem.resolve("key.pem");
        Files.copy(issuer.resolve("server.pem"), chain);
        Files.copy(issuer.resolve("server-key.pem"), key);
        try (GatewayHarness harness = new GatewayHarness(data, builder -> builder.certificate(chain, key))) {
            RawHttps trustingIssuer = RawHttps.trusting(issuer.resolve("ca.pem"));
            BigInteger before = trustingIssuer.connect(harness.port(), "bob.localhost").getSession().getPeerCertificates()[0]
                    instanceof X509Certificate c ? c.getSerialNumber() : null;
            assertEquals(LocalCertificateAuthority.readCertificate(chain).getSerialNumber(), before);
            assertTrue(harness.gateway.caCertificate().isEmpty(), "no local CA when PEM files are configured");

            // Half-written state (new chain, old key) must not be served; the pair completes, then it is.
            X509Certificate next = authority.issueServerCertificate();
            Files.copy(issuer.resolve("server.pem"), chain, StandardCopyOption.REPLACE_EXISTING);
            long target = harness.gateway.certificateChecks() + 2; // so one whole check began after the write
            Await.until("two more certificate checks", () -> harness.gateway.certificateChecks() >= target);
            assertEquals(before, serialWith(trustingIssuer, harness), "mismatched pair is not loaded");
            Files.copy(issuer.resolve("server-key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
            AtomicReference<BigInteger> served = new AtomicReference<>(before);
            Await.until("the completed pair to be served", () -> {
                served.set(unchecked(() -> serialWith(trustingIssuer, harness)));
                return !served.get().equals(before);
            });
            BigInteger seen = served.get();
            assertEquals(next.getSerialNumber(), seen);
        }
    }

    @Test
    void plainHttpRedirectsToTheSameHostAndPathOnHttps() throws Exception {
        try (GatewayHarness harness = new GatewayHarness(data, UnaryOperator.identity())) {
            int http = harness.gateway.httpPort().orElseThrow();
            RawHttps.Response redirect = plain(http, "POST /hello/x?y=1 HTTP/1.1\r\nHost: alice.localhost:" + http
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertEquals(308, redirect.status());
            assertEquals("https://alice.localhost:" + harness.port() + "/hello/x?y=1", redirect.header("Location"));
            RawHttps.Response foreign = plain(http, "GET / HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n");
            assertEquals(421, foreign.status(), "never an open redirector");
        }
    }

    private static RawHttps.Response plain(int port, String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            return RawHttps.read(socket.getInputStream(), null);
        }
    }

    private static BigInteger serial(GatewayHarness harness, String host) throws Exception {
        return ((X509Certificate) harness.client.connect(harness.port(), host).getSession().getPeerCertificates()[0])
                .getSerialNumber();
    }

    private static BigInteger serialWith(RawHttps client, GatewayHarness harness) throws Exception {
        try (var socket = client.connect(harness.port(), "bob.localhost")) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** Polls new handshakes (fresh client, no resumption) until the served serial changes. */
    private static BigInteger pollForSerial(GatewayHarness harness, BigInteger before) throws Exception {
        AtomicReference<BigInteger> served = new AtomicReference<>(before);
        Await.until("a new certificate to be served", () -> {
            served.set(unchecked(() -> {
                RawHttps fresh = RawHttps.trusting(Path.of(harness.gateway.caCertificate().orElseThrow().toString()));
                try (var socket = fresh.connect(harness.port(), "alice.localhost")) {
                    return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
                }
            }));
            return !served.get().equals(before);
        });
        return served.get();
    }

    private static <T> T unchecked(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
