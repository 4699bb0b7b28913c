package dev.driftless.gateway;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately plain HTTPS client over a JDK {@link SSLSocket}: it connects to 127.0.0.1 but
 * presents {@code sniHost} in SNI and verifies the certificate against that name (the JDK cannot
 * resolve {@code *.localhost}, and this way no resolver is involved). It writes the request head
 * exactly as given, so tests can send hostile Host headers and paths no normal client would send.
 * Trust is only the CA file given, so a passing handshake proves the chain to that CA.
 */
final class RawHttps {
    private final SSLContext context;

    private RawHttps(SSLContext context) {
        this.context = context;
    }

    static RawHttps trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        // A fresh context per client: no session cache shared across tests, so every handshake is a full one.
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return new RawHttps(context);
    }

    record Response(int status, Map<String, String> headers, byte[] body, X509Certificate peer) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes the body, if any, after the head. */
    interface BodyWriter {
        void write(OutputStream out) throws IOException;
    }

    SSLSocket connect(int port, String sniHost) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        plain.setSoTimeout(60_000);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, sniHost, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // hostname verification against sniHost
        if (!sniHost.matches("[0-9.]+")) {
            parameters.setServerNames(List.of(new SNIHostName(sniHost)));
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** GET with Host = sniHost; the connection is closed after the answer. */
    Response get(int port, String sniHost, String path) throws IOException {
        return send(port, sniHost, "GET " + path + " HTTP/1.1\r\nHost: " + sniHost + "\r\nConnection: close\r\n\r\n", null);
    }

    Response send(int port, String sniHost, String head, BodyWriter body) throws IOException {
        try (SSLSocket socket = connect(port, sniHost)) {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                body.write(out);
            }
            out.flush();
            return read(socket.getInputStream(), (X509Certificate) socket.getSession().getPeerCertificates()[0]);
        }
    }

    /** Several requests one after the other on one kept-alive connection. */
    List<Response> keepAlive(int port, String host, List<String> heads) throws IOException {
        try (SSLSocket socket = connect(port, host)) {
            java.util.ArrayList<Response> responses = new java.util.ArrayList<>();
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            for (String head : heads) {
                socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                responses.add(read(in, (X509Certificate) socket.getSession().getPeerCertificates()[0]));
            }
            return responses;
        }
    }

    static Response read(InputStream in, X509Certificate peer) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a status line");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (status != 204 && status != 304) {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toByteArray(), peer);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
