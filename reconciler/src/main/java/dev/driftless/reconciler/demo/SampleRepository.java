package dev.driftless.reconciler.demo;

import dev.driftless.templates.Templates;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's repository: one function per template, made from the templates' own samples, in a
 * working copy under the data folder, pushed with the system {@code git} to the built-in endpoint.
 * The token reaches git through a credential helper reading an environment variable, never the
 * command line or the remote URL.
 */
final class SampleRepository {
    /** Function name → template. */
    static final Map<String, String> FUNCTIONS = Map.of("hello-java", "java17", "hello-python", "python3",
            "hello-node", "node20");
    static final String CHANGED = "hello-python";

    private final Path folder;

    SampleRepository(Path folder) {
        this.folder = folder;
    }

    Path folder() {
        return folder;
    }

    boolean exists() {
        return Files.isDirectory(folder.resolve(".git"));
    }

    /** Writes the stack and the three sample functions and commits them. */
    void create() throws IOException, InterruptedException {
        Files.createDirectories(folder);
        StringBuilder stack = new StringBuilder("""
                version: 1.0
                provider:
                  name: openfaas
                  gateway: https://localhost
                functions:
                """);
        for (String function : List.of("hello-java", "hello-python", "hello-node")) {
            Templates.builtIn().writeSample(FUNCTIONS.get(function), folder.resolve(function));
            stack.append("  ").append(function).append(":\n")
                    .append("    lang: ").append(FUNCTIONS.get(function)).append('\n')
                    .append("    handler: ./").append(function).append('\n')
                    .append("    image: demo/").append(function).append(":latest\n");
        }
        Files.writeString(folder.resolve("stack.yml"), stack.toString());
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git("commit", "-q", "-m", "Sample functions: java17, python3, node20");
    }

    /**
     * Changes the Python function's greeting, and its unit test with it (the builder runs the test and
     * would refuse a change that breaks it), and commits; returns the text the new version answers with.
     */
    String changeOneFunction() throws IOException, InterruptedException {
        Path handler = folder.resolve(CHANGED).resolve("handler.py");
        String source = Files.readString(handler);
        int version = source.contains("(from Python, change ") ? Integer.parseInt(
                source.replaceAll("(?s).*\\(from Python, change (\\d+)\\).*", "$1")) + 1 : 1;
        String marker = "(from Python, change " + version + ")";
        for (Path file : List.of(handler, folder.resolve(CHANGED).resolve("handler_test.py"))) {
            String text = Files.readString(file);
            Files.writeString(file, text.replaceAll("\\(from Python(, change \\d+)?\\)",
                    java.util.regex.Matcher.quoteReplacement(marker)));
        }
        git("commit", "-q", "-am", "Change the Python greeting (" + version + ")");
        return marker;
    }

    /** Pushes main; returns git's output (the built-in endpoint says what it recorded). */
    String push(String remote, String token, Path caCertificate) throws IOException, InterruptedException {
        // GIT_SSL_CAINFO, not -c http.sslCAInfo: an inherited GIT_SSL_CAINFO would win over the config.
        return git(Map.of("DRIFTLESS_DEMO_TOKEN", token, "GIT_SSL_CAINFO", caCertificate.toString()),
                "-c", "credential.helper=",
                "-c", "credential.helper=!f() { echo username=demo; echo \"password=$DRIFTLESS_DEMO_TOKEN\"; }; f",
                "push", remote, "main");
    }

    private String git(String... args) throws IOException, InterruptedException {
        return git(Map.of(), args);
    }

    private String git(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Driftless demo",
                "-c", "user.email=demo@driftless.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true);
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(Duration.ofMinutes(5).toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("git " + args[args.length - 1] + " timed out");
        }
        if (process.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args).replaceAll("password=\\S+", "password=***")
                    + " failed (exit " + process.exitValue() + "):\n" + output.strip());
        }
        return output;
    }
}
