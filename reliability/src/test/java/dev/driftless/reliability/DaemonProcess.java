package dev.driftless.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real daemon as a separate JVM, so that {@link #kill()} is a real SIGKILL ({@link Process#destroyForcibly()}):
 * no shutdown hook, no finally block, no flushed buffer. Runs the shaded {@code reconciler/target/driftless.jar}
 * when this reactor run packaged it, else {@code dev.driftless.reconciler.Main} from the test class path (the same
 * classes). Each start appends to one log file, so a failure shows every life of the daemon.
 */
final class DaemonProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Map<String, String> env;
    private final Path log;
    private final int httpPort;
    private Process process;
    private int starts;

    DaemonProcess(Map<String, String> env, Path log, int httpPort) {
        this.env = Map.copyOf(env);
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Runs {@code driftless <args>} to completion with the same settings (e.g. {@code token create}); returns stdout. */
    String runCommand(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(log.getParent(), "command", ".out");
        ProcessBuilder builder = builder(args).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process command = builder.start();
        if (!command.waitFor(2, TimeUnit.MINUTES) || command.exitValue() != 0) {
            command.destroyForcibly();
            throw new IOException("driftless " + String.join(" ", args) + " failed:\n" + Files.readString(log));
        }
        return Files.readString(out).strip();
    }

    /** Starts the daemon and waits until {@code /readyz} answers 200; false when it died or never got ready. */
    boolean start(Duration limit) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        starts++;
        Files.writeString(log, "\n===== start " + starts + " =====\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = builder("serve").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return false;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, then waits for the process to be gone; returns its exit code (137). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the daemon did not die from SIGKILL within 30 s");
        }
        return process.exitValue();
    }

    /** SIGTERM (a graceful stop, which drains running jobs); returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("the daemon did not stop within 90 s of SIGTERM");
        }
        return process.exitValue();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, Duration.ofSeconds(5));
    }

    HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    int httpPort() {
        return httpPort;
    }

    String logText() throws IOException {
        String text = Files.readString(log);
        return text.length() > 20_000 ? "…" + text.substring(text.length() - 20_000) : text;
    }

    private ProcessBuilder builder(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC"));
        Path jar = Path.of(System.getProperty("driftless.jar", "none"));
        if (packagedAndFresh(jar)) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.driftless.reconciler.Main"));
        }
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("DRIFTLESS_"));
        environment.putAll(env);
        return builder;
    }

    /**
     * The shaded jar is used only when it is at least as new as every module artifact on the test class path
     * (a {@code mvn test} run does not repackage it, and an old jar would test old code).
     */
    private static boolean packagedAndFresh(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        try {
            long built = Files.getLastModifiedTime(jar).toMillis();
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path path = Path.of(entry);
                if (entry.contains("/target/") && !entry.contains("/reliability/") && Files.exists(path)
                        && Files.getLastModifiedTime(path).toMillis() > built) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    static Map<String, String> environment(Path data, int httpPort, int httpsPort) {
        Map<String, String> env = new HashMap<>();
        env.put("DRIFTLESS_DATA", data.toString());
        env.put("DRIFTLESS_HTTP_PORT", String.valueOf(httpPort));
        env.put("DRIFTLESS_HTTPS_PORT", String.valueOf(httpsPort));
        return env;
    }
}
