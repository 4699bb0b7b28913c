package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.templates.Templates;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Push-to-serving latency: from {@code git push} returning to the endpoint answering with the new
 * version (polled every 20 ms over HTTPS through the gateway), for the java17 sample function:
 * its first push, a handler-only change, and a change of one function in a 10-function repository.
 * Each scenario runs {@code runs} times; prints a Markdown table with median, min and max.
 * Usage: PushToServingBench <runs> [registry host:port]
 */
public final class PushToServingBench {
    private PushToServingBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path dir = Files.createTempDirectory("driftless-push-bench");
        Map<String, String> env = new LinkedHashMap<>(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_RESYNC_INTERVAL", "1h"));
        if (args.length > 1) {
            env.put("DRIFTLESS_REGISTRY", args[1]);
            env.put("DRIFTLESS_REGISTRY_INSECURE", "true");
        }
        FunctionsModule functions = new FunctionsModule();
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        try (Daemon daemon = Daemon.start(new ConfigLoader(env).load(Optional.empty()), List.of(functions))) {
            String token = daemon.context().tokens().create("bench");
            HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
            String git = "http://127.0.0.1:" + daemon.httpPort() + "/git/bench/";
            String base = "https://localhost:" + functions.gateway().httpsPort() + "/f/bench/";

            // Ten functions pushed once (not timed); each run then changes one of them.
            Path ten = repository(dir.resolve("ten"), 10);
            push(ten, token, git + "ten.git");
            for (int f = 0; f < 10; f++) {
                await(https, base + "fn-" + f, "(from Java)");
            }
            for (int run = 1; run <= runs; run++) {
                Path one = repository(dir.resolve("one-" + run), 1);
                seconds.computeIfAbsent("first push (1 java17 function)", k -> new ArrayList<>())
                        .add(push(one, token, git + "one-" + run + ".git") + await(https, base + "fn-0-r" + run, "(from Java)"));
                String marker = change(one.resolve("fn-0-r" + run), run);
                seconds.computeIfAbsent("handler-only change", k -> new ArrayList<>())
                        .add(push(one, token, git + "one-" + run + ".git") + await(https, base + "fn-0-r" + run, marker));
                String tenMarker = change(ten.resolve("fn-0"), run);
                seconds.computeIfAbsent("one of 10 functions changes", k -> new ArrayList<>())
                        .add(push(ten, token, git + "ten.git") + await(https, base + "fn-0", tenMarker));
                System.err.println("run " + run + " done: " + seconds);
            }
        }
        System.out.println("| scenario | runs | median s | min s | max s |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        seconds.forEach((scenario, values) -> {
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", scenario, sorted.size(), median,
                    sorted.get(0), sorted.get(sorted.size() - 1));
        });
    }

    /** A repository of {@code count} copies of the java17 sample, named fn-0… (fn-0-r<run> for single ones). */
    private static Path repository(Path dir, int count) throws Exception {
        Files.createDirectories(dir);
        StringBuilder stack = new StringBuilder("provider:\n  name: openfaas\nfunctions:\n");
        String suffix = count == 1 ? "-r" + dir.getFileName().toString().substring("one-".length()) : "";
        for (int f = 0; f < count; f++) {
            String name = "fn-" + f + suffix;
            Templates.builtIn().writeSample("java17", dir.resolve(name));
            stack.append("  ").append(name).append(":\n    lang: java17\n    handler: ./").append(name).append('\n');
        }
        Files.writeString(dir.resolve("stack.yml"), stack.toString());
        E2e.git(dir, null, "init", "-q", "-b", "main");
        return dir;
    }

    /** Changes the greeting in the handler and its test; returns the new greeting's marker. */
    private static String change(Path function, int run) throws Exception {
        String marker = "(from Java, change " + run + ")";
        for (Path file : List.of(function.resolve("src/main/java/com/openfaas/function/Handler.java"),
                function.resolve("src/test/java/HandlerTest.java"))) {
            Files.writeString(file, Files.readString(file).replaceAll("\\(from Java(, change \\d+)?\\)",
                    java.util.regex.Matcher.quoteReplacement(marker)));
        }
        return marker;
    }

    /** Commits everything and pushes; returns 0 (the clock starts when push returns). */
    private static double push(Path repo, String token, String remote) throws Exception {
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", "bench");
        E2e.git(repo, token, "push", "-q", remote, "main");
        return 0;
    }

    /** Seconds until the endpoint answers 200 with {@code marker}, polling every 20 ms. */
    private static double await(HttpClient https, String url, String marker) throws Exception {
        long start = System.nanoTime();
        long deadline = start + 600_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = E2e.post(https, url, "Driftless");
                if (response.statusCode() == 200 && response.body().contains(marker)) {
                    return (System.nanoTime() - start) / 1e9;
                }
            } catch (java.io.IOException notYet) {
                // not routed yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(url + " never answered with " + marker);
    }
}
