package dev.driftless.templates;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A private Python package index on loopback, as teams run devpi or Artifactory next to an air-gapped
 * cluster: PEP 503 "simple" pages and one pure-Python wheel, made here byte by byte (no PyPI, no
 * setuptools). Records the paths pip asked for.
 */
final class PrivatePythonIndex implements AutoCloseable {
    final List<String> requested = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    /** Serves {@code <name>==<version>} whose only module {@code <name>/__init__.py} has {@code code}. */
    PrivatePythonIndex(String name, String version, String code) throws IOException {
        String wheelName = name + "-" + version + "-py3-none-any.whl";
        byte[] wheel = wheel(name, version, code);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requested.add(path);
            byte[] body;
            String type;
            if (path.equals("/simple/" + name + "/")) {
                body = ("<!DOCTYPE html><html><body><a href=\"/files/" + wheelName + "#sha256=" + hex(sha256(wheel))
                        + "\">" + wheelName + "</a></body></html>").getBytes(StandardCharsets.UTF_8);
                type = "text/html";
            } else if (path.equals("/files/" + wheelName)) {
                body = wheel;
                type = "application/octet-stream";
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** The index URL for pip's {@code --index-url}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static byte[] wheel(String name, String version, String code) throws IOException {
        String info = name + "-" + version + ".dist-info/";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(name + "/__init__.py", code.getBytes(StandardCharsets.UTF_8));
        files.put(info + "METADATA", ("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n")
                .getBytes(StandardCharsets.UTF_8));
        files.put(info + "WHEEL", "Wheel-Version: 1.0\nGenerator: driftless-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        files.forEach((path, bytes) -> record.append(path).append(",sha256=")
                .append(Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(bytes)))
                .append(',').append(bytes.length).append('\n'));
        record.append(info).append("RECORD,,\n");
        files.put(info + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b));
        }
        return text.toString();
    }
}
