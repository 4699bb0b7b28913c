package dev.driftless.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenSSL engine (netty-tcnative BoringSSL) and the JDK engine are interchangeable: two gateways with the same
 * certificate, routes and limits, one on each, give the same answers to the same requests: TLS version and served
 * certificate per SNI name (owner subdomains, bare domain, loopback IP), routing, errors and the per-client limit.
 */
class GatewayTlsEnginesTest {
    @TempDir
    Path data;

    @Test
    void openSslAndJdkEnginesAnswerTheSameRequestsIdentically() throws Exception {
        List<String> openSsl = transcript(TlsEngine.OPENSSL);
        List<String> jdk = transcript(TlsEngine.JDK);
        assertEquals(jdk, openSsl);
        assertTrue(openSsl.stream().anyMatch(line -> line.contains("status=429")), "the limit was reached: " + openSsl);
        assertTrue(openSsl.stream().anyMatch(line -> line.contains("status=200")), openSsl.toString());
    }

    @Test
    void autoPicksOpenSslWhereItsNativeLibraryLoads() throws Exception {
        // The build ships netty-tcnative for x86-64 Linux, where this suite runs.
        assertEquals(TlsEngine.OPENSSL, TlsEngine.AUTO.resolved());
        try (GatewayHarness harness = new GatewayHarness(data, b -> b)) {
            assertEquals(TlsEngine.OPENSSL, harness.gateway.tlsEngine());
        }
    }

    /** What a client sees of a gateway on {@code engine}, request by request, as comparable lines. */
    private List<String> transcript(TlsEngine engine) throws Exception {
        List<String> lines = new ArrayList<>();
        // Same data folder: the second gateway serves the certificate the first one generated.
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.tlsEngine(engine).clientRateLimit(1, 8))) {
            assertEquals(engine, harness.gateway.tlsEngine());
            harness.function("alice", "hello", "v1");
            harness.function("bob", "echo", "v7");
            for (String sni : List.of("alice.localhost", "bob.localhost", "localhost", "127.0.0.1")) {
                try (SSLSocket socket = harness.client.connect(harness.port(), sni)) {
                    lines.add("tls sni=" + sni + " protocol=" + socket.getSession().getProtocol() + " peer="
                            + ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber());
                }
            }
            String[][] requests = {
                    {"alice.localhost", "alice.localhost", "/hello?x=1"},
                    {"bob.localhost", "bob.localhost", "/echo/deep/path"},
                    {"localhost", "localhost", "/f/alice/hello"},
                    {"alice.localhost", "alice.localhost", "/missing"},
                    {"carol.localhost", "carol.localhost", "/hello"},
                    {"alice.localhost", "bob.localhost", "/echo"},
                    {"127.0.0.1", "alice.localhost", "/hello"},
                    {"alice.localhost", "alice.localhost", "/hello"},
                    // 8 requests so far: the client's burst (refilled at one a minute); what follows is over it.
                    {"alice.localhost", "alice.localhost", "/hello"},
                    {"bob.localhost", "bob.localhost", "/echo"},
            };
            for (String[] r : requests) {
                RawHttps.Response response = harness.client.send(harness.port(), r[0],
                        "GET " + r[2] + " HTTP/1.1\r\nHost: " + r[1] + "\r\nConnection: close\r\n\r\n", null);
                Map<String, String> headers = new TreeMap<>(response.headers());
                headers.remove("retry-after"); // seconds until the bucket refills: depends on when the test ran
                lines.add("GET sni=" + r[0] + " host=" + r[1] + " path=" + r[2] + " status=" + response.status()
                        + " headers=" + headers
                        // each gateway has its own function servers: their ports differ, nothing else may
                        + " body=" + response.text().replaceAll("\"host\":\"127\\.0\\.0\\.1:[0-9]+\"", "\"host\":\"backend\""));
            }
        }
        return lines;
    }
}
