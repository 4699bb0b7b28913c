package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.LatestStatus;
import dev.driftless.status.StatusOutbox;
import dev.driftless.templates.Templates;
import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One repository with the sample of every template the issue added (python3-http, node, go,
 * golang-middleware, ruby, csharp), pushed with the system git: each is built with its tests, runs
 * under bubblewrap and answers over HTTPS with the sample's greeting.
 */
class EveryTemplateEndToEndTest {
    private static final Duration BUILD = Duration.ofMinutes(8);

    @TempDir
    Path dir;

    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void everyNewTemplatesSampleDeploysAndAnswersOverHttps() throws Exception {
        String registry = RealComponent.REGISTRY.require();
        RealComponent.BWRAP.require();
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_REGISTRY", registry,
                "DRIFTLESS_REGISTRY_INSECURE", "true",
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String token = daemon.context().tokens().create("carol");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        String gateway = "https://localhost:" + functions.gateway().httpsPort() + "/f/carol/";
        StatusOutbox statuses = new StatusOutbox(daemon.context().database().dataSource());

        // function name -> (lang, expected answer to POST "Ada")
        Map<String, String[]> samples = new LinkedHashMap<>();
        samples.put("hello-python-http", new String[] {"python3-http", "Hello, Ada! (from Python HTTP)"});
        samples.put("hello-node-classic", new String[] {"node", "Hello, Ada! (from Node.js classic)"});
        samples.put("hello-go", new String[] {"go", "Hello, Ada! (from Go, POST /)"});
        samples.put("hello-go-middleware", new String[] {"golang-middleware", "Hello, Ada! (from Go middleware, POST /)"});
        samples.put("hello-ruby", new String[] {"ruby", "Hello, Ada! (from Ruby, POST)"});
        samples.put("hello-csharp", new String[] {"csharp", "Hello, Ada! (from C#, POST)"});

        Path repo = Files.createDirectories(dir.resolve("samples"));
        StringBuilder stack = new StringBuilder("version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n");
        Templates templates = Templates.builtIn();
        for (Map.Entry<String, String[]> sample : samples.entrySet()) {
            templates.writeSample(sample.getValue()[0], repo.resolve(sample.getKey()));
            stack.append("  ").append(sample.getKey()).append(":\n    lang: ").append(sample.getValue()[0])
                    .append("\n    handler: ./").append(sample.getKey()).append('\n');
        }
        Files.writeString(repo.resolve("stack.yml"), stack.toString());
        E2e.git(repo, null, "init", "-q", "-b", "main");
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", "every template");
        E2e.git(repo, token, "push", "-q", "http://127.0.0.1:" + daemon.httpPort() + "/git/carol/samples.git", "main");
        String sha = E2e.git(repo, token, "rev-parse", "HEAD").strip();

        E2e.await("the samples to build", BUILD, () -> statuses.latestStates("carol", "samples"), states -> {
            @SuppressWarnings("unchecked") Map<String, LatestStatus> map = (Map<String, LatestStatus>) states;
            LatestStatus s = map.get("driftless/stack");
            return s != null && s.sha().equals(sha) && s.state() != CommitStatus.State.PENDING;
        });
        Map<String, LatestStatus> states = statuses.latestStates("carol", "samples");
        for (String name : samples.keySet()) {
            assertEquals(CommitStatus.State.SUCCESS, states.get("driftless/" + name).state(),
                    name + ": " + states.get("driftless/" + name).description());
        }
        for (Map.Entry<String, String[]> sample : samples.entrySet()) {
            String url = gateway + sample.getKey();
            String[] last = {""};
            E2e.await(sample.getKey() + " to answer", Duration.ofMinutes(1), () -> {
                HttpResponse<String> res = E2e.post(https, url, "Ada");
                last[0] = res.statusCode() + " " + res.body();
                return last[0];
            }, answer -> ((String) answer).startsWith("200 "));
            assertTrue(last[0].contains(sample.getValue()[1]), sample.getKey() + " answered " + last[0]);
        }
    }
}
