package dev.driftless.templates;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: runs a build's real entrypoint as a process, the way the local runtime would. The
 * layers are copied to their image paths under a root folder, and the image paths in the entrypoint
 * and environment are pointed into it; everything else (command, flags, variables) is the build's own.
 */
final class RunningFunction implements AutoCloseable {
    final Process process;
    final int port;
    final Path output;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningFunction(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    static RunningFunction start(TemplateBuild build, Path root) throws Exception {
        for (ImageLayer layer : build.layers()) {
            Path target = root.resolve(layer.pathInImage().substring(1));
            Trees.copy(layer.sourceDir(), target, java.util.Set.of(), p -> false);
            Files.createDirectories(target);
        }
        List<String> command = new ArrayList<>();
        build.entrypoint().forEach(arg -> command.add(inRoot(arg, root)));
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(command).directory(Files.createDirectories(root.resolve(build.workingDirectory().substring(1))).toFile());
        pb.environment().clear();
        build.environment().forEach((k, v) -> pb.environment().put(k, k.equals("PATH") ? v : inRoot(v, root)));
        pb.environment().put("PORT", String.valueOf(port));
        pb.environment().put("HOST", "127.0.0.1");
        Path output = root.resolve("output.log");
        pb.redirectErrorStream(true).redirectOutput(output.toFile());
        RunningFunction running = new RunningFunction(pb.start(), port, output);
        running.awaitHealthy();
        return running;
    }

    private static String inRoot(String value, Path root) {
        return value.replace("/opt/driftless/", root + "/opt/driftless/").replace("/home/app", root + "/home/app");
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("entrypoint exited " + process.exitValue() + ":\n" + Files.readString(output));
            }
            try {
                if (get("/_/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("entrypoint not healthy after 30 s:\n" + Files.readString(output));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain"));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Byte-for-byte snapshot of a folder: relative path to content hash. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Path f : Trees.files(dir, java.util.Set.of())) {
            out.put(dir.relativize(f).toString(), java.util.HexFormat.of().formatHex(
                    sha256(Files.readAllBytes(f))));
        }
        return out;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
