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
 * version (polled every 20 ms over HTTPS through the gateway), for a handler-only change of the java17
 * and the python3 sample, each on two daemons side by side: one with network isolation (a namespace per
 * instance, pasta; the default) and one with {@code DRIFTLESS_FUNCTION_NETWORK=host}. Rounds alternate
 * which daemon goes first, so a load change on a shared machine hits both alike. Prints Markdown tables
 * (median, min, max per scenario, and the isolated/host ratio of the medians).
 * Usage: PushToServingBench <runs> [registry host:port]
 */
public final class PushToServingBench {
    private static final List<String> NETWORKS = List.of("isolated", "host");
    private static final Map<String, String> MARKERS = Map.of("java17", "(from Java", "python3", "(from Python");

    private PushToServingBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path dir = Files.createTempDirectory("driftless-push-bench");
        Map<String, Side> sides = new LinkedHashMap<>();
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        try {
            for (String network : NETWORKS) {
                sides.put(network, Side.start(dir.resolve(network), network, args.length > 1 ? args[1] : null));
            }
            // One function per language and daemon, pushed once (timed as "first push").
            for (Side side : sides.values()) {
                for (String lang : MARKERS.keySet().stream().sorted().toList()) {
                    Path repo = side.repository(lang);
                    side.push(repo, lang);
                    record(seconds, lang, "first push", side.network, side.await(lang, MARKERS.get(lang) + ")"));
                }
            }
            for (int run = 1; run <= runs; run++) {
                List<String> order = new ArrayList<>(NETWORKS);
                if (run % 2 == 0) {
                    Collections.reverse(order);
                }
                for (String network : order) {
                    Side side = sides.get(network);
                    for (String lang : MARKERS.keySet().stream().sorted().toList()) {
                        String marker = side.change(lang, run);
                        side.push(side.dir.resolve(lang), lang);
                        record(seconds, lang, "handler-only change", network, side.await(lang, marker));
                    }
                }
                System.err.println("run " + run + " done: " + seconds);
            }
        } finally {
            for (Side side : sides.values()) {
                side.daemon.close();
            }
        }
        System.out.println("| function | scenario | network | runs | median s | min s | max s |");
        System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        seconds.forEach((key, values) -> {
            List<Double> sorted = sorted(values);
            System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", key.replace("/", " | "), sorted.size(),
                    median(sorted), sorted.get(0), sorted.get(sorted.size() - 1));
        });
        System.out.println();
        System.out.println("| function | handler-only change: isolated / host (medians) |");
        System.out.println("| --- | ---: |");
        for (String lang : MARKERS.keySet().stream().sorted().toList()) {
            double isolated = median(sorted(seconds.get(lang + "/handler-only change/isolated")));
            double host = median(sorted(seconds.get(lang + "/handler-only change/host")));
            System.out.printf(Locale.ROOT, "| %s | %.3f (%+.1f %%) |%n", lang, isolated / host, (isolated / host - 1) * 100);
        }
    }

    private static void record(Map<String, List<Double>> seconds, String lang, String scenario, String network, double value) {
        seconds.computeIfAbsent(lang + "/" + scenario + "/" + network, k -> new ArrayList<>()).add(value);
    }

    private static List<Double> sorted(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted;
    }

    private static double median(List<Double> sorted) {
        return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }

    /** One daemon (its own data folder, ports and runtime) with the given network setting. */
    private static final class Side {
        final String network;
        final Path dir;
        final Daemon daemon;
        final String token;
        final HttpClient https;
        final String git;
        final String base;

        private Side(String network, Path dir, Daemon daemon, FunctionsModule functions) throws Exception {
            this.network = network;
            this.dir = dir;
            this.daemon = daemon;
            this.token = daemon.context().tokens().create("bench");
            this.https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
            this.git = "http://127.0.0.1:" + daemon.httpPort() + "/git/bench/";
            this.base = "https://localhost:" + functions.gateway().httpsPort() + "/f/bench/";
        }

        static Side start(Path dir, String network, String registry) throws Exception {
            Map<String, String> env = new LinkedHashMap<>(Map.of(
                    "DRIFTLESS_DATA", dir.resolve("data").toString(),
                    "DRIFTLESS_HTTP_PORT", "0",
                    "DRIFTLESS_HTTPS_PORT", "0",
                    "DRIFTLESS_RESYNC_INTERVAL", "1h",
                    "DRIFTLESS_FUNCTION_NETWORK", network));
            if (registry != null) {
                env.put("DRIFTLESS_REGISTRY", registry);
                env.put("DRIFTLESS_REGISTRY_INSECURE", "true");
            }
            FunctionsModule functions = new FunctionsModule();
            Daemon daemon = Daemon.start(new ConfigLoader(env).load(Optional.empty()), List.of(functions));
            return new Side(network, dir, daemon, functions);
        }

        /** A repository {@code <lang>} holding the template's sample as function {@code <lang>-fn}. */
        Path repository(String lang) throws Exception {
            Path repo = Files.createDirectories(dir.resolve(lang));
            Templates.builtIn().writeSample(lang, repo.resolve("fn"));
            Files.writeString(repo.resolve("stack.yml"), "provider:\n  name: openfaas\nfunctions:\n  " + lang
                    + "-fn:\n    lang: " + lang + "\n    handler: ./fn\n");
            E2e.git(repo, null, "init", "-q", "-b", "main");
            return repo;
        }

        /** Changes the greeting in the handler and its test; returns the new greeting's marker. */
        String change(String lang, int run) throws Exception {
            String from = MARKERS.get(lang);
            String marker = from + ", change " + run + ")";
            Path fn = dir.resolve(lang).resolve("fn");
            List<Path> files = lang.equals("java17")
                    ? List.of(fn.resolve("src/main/java/com/openfaas/function/Handler.java"), fn.resolve("src/test/java/HandlerTest.java"))
                    : List.of(fn.resolve("handler.py"), fn.resolve("handler_test.py"));
            for (Path file : files) {
                Files.writeString(file, Files.readString(file).replaceAll(java.util.regex.Pattern.quote(from) + "(, change \\d+)?\\)",
                        java.util.regex.Matcher.quoteReplacement(marker)));
            }
            return marker;
        }

        /** Commits everything and pushes (the clock starts when push returns). */
        void push(Path repo, String lang) throws Exception {
            E2e.git(repo, token, "add", "-A");
            E2e.git(repo, token, "commit", "-q", "-m", "bench");
            E2e.git(repo, token, "push", "-q", git + lang + ".git", "main");
        }

        /** Seconds until the endpoint answers 200 with {@code marker}, polling every 20 ms. */
        double await(String lang, String marker) throws Exception {
            String url = base + lang + "-fn";
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
}
