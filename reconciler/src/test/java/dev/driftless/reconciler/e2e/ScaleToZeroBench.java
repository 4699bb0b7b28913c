package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.templates.Templates;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wake latency of scale to zero: the daemon with the local runtime, {@code DRIFTLESS_SCALE_TO_ZERO=true} and a
 * 2 s idle period, one function per template (each template's own sample). Per round it waits until every
 * function is at zero, then per function sends one request (the wake: from sending it to its 200, over HTTPS
 * through the gateway) and right after it five more (warm), so both sit in the same run and under the same load.
 * With the daemon's log file (slf4j-simple's {@code logFile}) it also reports the runtime's own split of each
 * wake: from the first request's arrival to the function serving (the daemon's own wake time), of which spawning
 * the sandbox (bubblewrap, network namespace) and the wait for the first health answer.
 * Prints a Markdown table. Usage: ScaleToZeroBench &lt;rounds&gt; [daemon log file] [templates, comma-separated]
 */
public final class ScaleToZeroBench {
    private static final int WARM_REQUESTS = 5;
    private static final Pattern WOKEN = Pattern.compile(
            "event=woken function=bench/(\\S+) .*spawn_ms=(\\d+) health_ms=(\\d+)");

    private static final Pattern STARTED = Pattern.compile("event=woken owner=bench function=s-(\\S+) seconds=([0-9.]+)");

    private ScaleToZeroBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Optional<Path> log = args.length > 1 && !args[1].isBlank() ? Optional.of(Path.of(args[1])) : Optional.empty();
        List<String> templates = List.of((args.length > 2 ? args[2] : "python3,node20,java17,go").split(","));
        Path dir = Files.createTempDirectory("driftless-scale-bench");
        Map<String, String> env = Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_RESYNC_INTERVAL", "1h",
                "DRIFTLESS_SCALE_TO_ZERO", "true",
                "DRIFTLESS_SCALE_TO_ZERO_IDLE", "2s");
        Map<String, List<Double>> wake = new LinkedHashMap<>();
        Map<String, List<Double>> warm = new LinkedHashMap<>();
        FunctionsModule functions = new FunctionsModule();
        try (Daemon daemon = Daemon.start(new ConfigLoader(env).load(Optional.empty()), List.of(functions))) {
            String token = daemon.context().tokens().create("bench");
            HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
            String base = "https://localhost:" + functions.gateway().httpsPort() + "/f/bench/";
            HttpClient http = HttpClient.newHttpClient();
            String api = "http://127.0.0.1:" + daemon.httpPort();

            Path repo = Files.createDirectories(dir.resolve("fns"));
            StringBuilder stack = new StringBuilder("provider:\n  name: openfaas\nfunctions:\n");
            for (String template : templates) {
                Templates.builtIn().writeSample(template, repo.resolve(name(template)));
                stack.append("  ").append(name(template)).append(":\n    lang: ").append(template)
                        .append("\n    handler: ./").append(name(template)).append('\n');
            }
            Files.writeString(repo.resolve("stack.yml"), stack.toString());
            E2e.git(repo, null, "init", "-q", "-b", "main");
            E2e.git(repo, token, "add", "-A");
            E2e.git(repo, token, "commit", "-q", "-m", "bench");
            E2e.git(repo, token, "push", "-q", "http://127.0.0.1:" + daemon.httpPort() + "/git/bench/fns.git", "main");
            for (String template : templates) {
                E2e.await(name(template) + " to answer", Duration.ofMinutes(10),
                        () -> E2e.post(https, base + name(template), "Driftless").statusCode(), status -> status.equals(200));
            }
            for (int round = 1; round <= rounds; round++) {
                // Counted once the instance has stopped (listed at zero is earlier: from when it stops taking requests).
                int sleeps = round;
                for (String template : templates) {
                    E2e.await(name(template) + " stopped", Duration.ofSeconds(60),
                            () -> sleeps(http, api, name(template)), n -> (double) n >= sleeps);
                }
                for (String template : templates) {
                    String url = base + name(template);
                    wake.computeIfAbsent(template, k -> new ArrayList<>()).add(timedPost(https, url));
                    for (int i = 0; i < WARM_REQUESTS; i++) {
                        warm.computeIfAbsent(template, k -> new ArrayList<>()).add(timedPost(https, url));
                    }
                }
                System.err.println("round " + round + " wake ms: " + wake);
            }
        }
        Map<String, List<Double>> spawn = new LinkedHashMap<>();
        Map<String, List<Double>> health = new LinkedHashMap<>();
        Map<String, List<Double>> start = new LinkedHashMap<>();
        if (log.isPresent() && Files.isRegularFile(log.get())) {
            for (String line : Files.readAllLines(log.get())) {
                Matcher started = STARTED.matcher(line);
                if (started.find()) {
                    start.computeIfAbsent(started.group(1), k -> new ArrayList<>())
                            .add(Double.parseDouble(started.group(2)) * 1000);
                }
                Matcher m = WOKEN.matcher(line);
                if (m.find()) {
                    String template = m.group(1).substring("s-".length());
                    spawn.computeIfAbsent(template, k -> new ArrayList<>()).add(Double.parseDouble(m.group(2)));
                    health.computeIfAbsent(template, k -> new ArrayList<>()).add(Double.parseDouble(m.group(3)));
                }
            }
        }
        System.out.println("| template | rounds | wake median ms | wake min ms | wake max ms | warm median ms "
                + "| of a wake: request in to serving ms | of which sandbox up ms | of which to first health 200 ms |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (String template : templates) {
            List<Double> w = sorted(wake.get(template));
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %s | %s | %s |%n", template,
                    w.size(), median(w), w.get(0), w.get(w.size() - 1), median(sorted(warm.get(template))),
                    shown(start.get(template)), shown(spawn.get(template)), shown(health.get(template)));
        }
    }

    /** {@code driftless_function_sleeps_total} of a function on /metrics; 0 before its first sleep. */
    private static double sleeps(HttpClient http, String api, String function) throws Exception {
        Matcher m = Pattern.compile("(?m)^driftless_function_sleeps_total\\{([^}]*)\\} (\\S+)$")
                .matcher(E2e.get(http, api + "/metrics").body());
        while (m.find()) {
            if (m.group(1).contains("function=\"" + function + "\"") && m.group(1).contains("owner=\"bench\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    private static String name(String template) {
        return "s-" + template;
    }

    /** Milliseconds from sending the request to its 200 (anything else ends the run: the numbers would lie). */
    private static double timedPost(HttpClient https, String url) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = E2e.post(https, url, "Driftless");
        double millis = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return millis;
    }

    private static String shown(List<Double> values) {
        return values == null || values.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f", median(sorted(values)));
    }

    private static List<Double> sorted(List<Double> values) {
        List<Double> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
