package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.builder.BuildListener;
import dev.driftless.builder.BuildRequest;
import dev.driftless.builder.BuildResult;
import dev.driftless.builder.Builder;
import dev.driftless.builder.BuilderConfig;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.builder.RepoSource;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.templates.Templates;
import dev.driftless.testsupport.RealComponent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole local path with real parts: a git commit holding a template's own sample function, built by the
 * real builder (template, handler tests, Jib) into the real registry, run by the local runtime under
 * bubblewrap with the host's python3 / node / JRE bound in, answering HTTP.
 */
class LocalRuntimeBuilderTest {
    /** Closed after each test: java17's standby build JVM must not outlive it (LocalRuntimeTest counts processes). */
    private final Templates templates = Templates.builtIn();

    @AfterEach
    void closeTemplates() {
        templates.close();
    }

    @TempDir
    Path data;

    /** Each template's own sample function, its files and what it answers to a POST of "Driftless". */
    static Stream<Arguments> templates() {
        return Stream.of(
                Arguments.of("python3", List.of("handler.py", "handler_test.py", "requirements.txt"),
                        "Hello, Driftless! (from Python)"),
                Arguments.of("node20", List.of("package.json", "handler.js", "handler.test.js"),
                        "Hello, Driftless! (from Node.js, POST /)"),
                Arguments.of("java17", List.of("build.gradle", "settings.gradle",
                        "src/main/java/com/openfaas/function/Handler.java", "src/test/java/HandlerTest.java"),
                        "Hello, Driftless! (from Java)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void runsTheImageTheBuilderMadeFromACommit(String lang, List<String> files, String answer) throws Exception {
        String registry = RealComponent.REGISTRY.require();
        Path bwrap = Path.of(RealComponent.BWRAP.require());
        Path repo = Files.createDirectories(data.resolve("repo"));
        Files.writeString(repo.resolve("stack.yml"), """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: %s
                    handler: ./hello
                    image: hello:latest
                """.formatted(lang));
        Path handler = Files.createDirectories(repo.resolve("hello"));
        for (String file : files) {
            try (InputStream in = Builder.class.getClassLoader()
                    .getResourceAsStream("templates/" + lang + "/sample/" + file)) {
                Files.createDirectories(handler.resolve(file).getParent());
                Files.copy(in, handler.resolve(file));
            }
        }
        git(repo, "init", "-q", "-b", "main");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "hello");
        String commit = git(repo, "rev-parse", "HEAD").trim();
        Builder builder = new Builder(BuilderConfig.builder()
                .workRoot(data.resolve("work"))
                .cacheRoot(data.resolve("cache"))
                .templates(templates.all())
                .registry(registry, true)
                .build());

        BuildResult built = builder.build(new BuildRequest("alice", "fns", RepoSource.of(repo.toUri().toString()),
                commit, Map.of(), BuildListener.discard()));
        FunctionBuild hello = built.functions().get(0);
        assertEquals(FunctionBuild.Outcome.BUILT, hello.outcome(), hello::toString);
        String image = hello.image().orElseThrow().toString();

        // Under bubblewrap, then as the plain-process fallback of a machine without it (every path resolved
        // to the unpacked root): the same image answers the same.
        for (Optional<Path> sandbox : List.of(Optional.of(bwrap), Optional.<Path>empty())) {
            InMemoryRouteTable routes = new InMemoryRouteTable();
            try (LocalRuntime runtime = new LocalRuntime(LocalRuntimeSettings.defaults(data.resolve("daemon"))
                    .withBubblewrap(sandbox).withHealthTimeout(Duration.ofSeconds(30)),
                    builder.imageSource(), routes)) {
                RolloutResult result = runtime.deploy(new FunctionDeployment("alice", "fns", "hello", image, commit,
                        1, Map.of(), List.of(), Map.of(), Map.of(), FunctionDeployment.Resources.none(), true));

                String how = sandbox.isPresent() ? "bubblewrap" : "plain";
                assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), () -> how + ": " + result);
                assertTrue(result.message().contains("via " + how), result::message);
                int port = routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow().port();
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                .POST(HttpRequest.BodyPublishers.ofString("Driftless")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response::body);
                assertEquals(answer, response.body().trim(), how);
            }
        }
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
