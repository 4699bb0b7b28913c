package dev.driftless.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.driftless.templates.Templates;
import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds that push to the real {@code docker-registry} started by {@code scripts/test.sh}, checked by
 * reading the manifest and config back by digest over the registry's HTTP API.
 */
class RegistryBuildTest {
    @TempDir
    Path tmp;
    String registry;
    RegistryHttp http;
    GitRepo repo;

    @BeforeEach
    void setUp() throws Exception {
        registry = RealComponent.REGISTRY.require();
        http = new RegistryHttp(registry);
        repo = GitRepo.init(tmp.resolve("src"));
    }

    Builder builder(String cacheName, List<? extends dev.driftless.templates.FunctionTemplate> templates) {
        return new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve(cacheName))
                .registry(registry, true).templates(templates).build());
    }

    BuildResult build(Builder builder, String owner, String commit, RecordingListener listener) throws Exception {
        return builder.build(new BuildRequest(owner, "fns", repo.source(), commit, Map.of(), listener));
    }

    @Test
    void testPush_manifestByDigestHasLayersInOrderLabelsUserAndEntrypoint() throws Exception {
        String commit = repo.write("stack.yml", BuilderTest.STACK)
                .write("kubecon/handler.txt", "kubecon\n").write("kubecon/deps.txt", "dep\n")
                .write("hello/handler.txt", "hello\n").commit("two");
        String owner = "reg-" + System.nanoTime();
        RecordingListener listener = new RecordingListener();
        Builder builder = builder("cache", List.of(new FakeTemplate("python3"), new FakeTemplate("java17")));
        BuildResult result = build(builder, owner, commit, listener);
        ImageRef ref = result.functions().get(0).image().orElseThrow(() -> new AssertionError(listener.all()));
        assertEquals(registry + "/" + owner + "/fns/kubecon", ref.repository());

        JsonNode manifest = http.manifest(ref);
        assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.path("mediaType").asText());
        assertEquals(4, manifest.path("layers").size(), "base, runtime, dependencies, function");
        JsonNode config = http.blobJson(ref, manifest.path("config").path("digest").asText()).path("config");
        assertEquals("10001:10001", config.path("User").asText());
        assertEquals("[\"/opt/runtime/entrypoint.sh\"]", config.path("Entrypoint").toString());
        assertEquals("/home/app/function", config.path("WorkingDir").asText());
        assertTrue(config.path("ExposedPorts").has("8080/tcp"));
        assertTrue(config.path("Env").toString().contains("\"PORT=8080\""));
        assertEquals(commit, config.path("Labels").path("org.opencontainers.image.revision").asText());
        assertEquals(repo.url(), config.path("Labels").path("org.opencontainers.image.source").asText());
        assertEquals(owner, config.path("Labels").path("dev.driftless.owner").asText());
        assertEquals("fns", config.path("Labels").path("dev.driftless.repository").asText());
        assertEquals("kubecon", config.path("Labels").path("dev.driftless.function").asText());
        assertEquals(ref.digest(), http.tagDigest(ref, commit.substring(0, 7)), "the sha7 tag is for humans, same image");

        // The builder's own reader sees the same image, layer by layer.
        ImageContents contents = builder.imageSource().read(ref);
        List<String> layerDigests = new ArrayList<>();
        manifest.path("layers").forEach(l -> layerDigests.add(l.path("digest").asText()));
        assertEquals(layerDigests, contents.layers().stream().map(ImageContents.Layer::digest).toList());
        assertEquals("kubecon\n", Layers.entries(contents.layers().get(3)).get("home/app/function/handler.txt").text());

        // Reproducible: a builder with an empty cache makes the same digests.
        BuildResult again = build(builder("cache2", List.of(new FakeTemplate("python3"), new FakeTemplate("java17"))), owner, commit, new RecordingListener());
        assertEquals(FunctionBuild.Outcome.BUILT, again.functions().get(0).outcome());
        assertEquals(result.functions().get(0).image(), again.functions().get(0).image());
        assertEquals(result.functions().get(1).image(), again.functions().get(1).image());
    }

    @Test
    void testClusterBase_pulledFromTheRegistryComesFirst() throws Exception {
        String commit = repo.write("stack.yml", "version: 1.0\nfunctions:\n  hello:\n    lang: python3\n    handler: ./hello\n")
                .write("hello/handler.txt", "hi\n").write("hello/deps.txt", "d\n").commit("one");
        String owner = "base-" + System.nanoTime();
        // An image made here stands in for python:3.11-slim, which cannot be pulled on these machines.
        ImageRef base = build(builder("cache", List.of(new FakeTemplate("python3"))), owner, commit, new RecordingListener())
                .functions().get(0).image().orElseThrow();
        Builder cluster = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cluster-cache"))
                .registry(registry, true).templates(List.of(new FakeTemplate("python3")))
                .baseMode(BuilderConfig.BaseMode.CLUSTER).clusterBaseImage("python3", base.toString()).insecureBaseRegistries(true)
                .build());
        RecordingListener listener = new RecordingListener();
        ImageRef ref = cluster.build(new BuildRequest(owner, "other", repo.source(), commit, Map.of(), listener))
                .functions().get(0).image().orElseThrow(() -> new AssertionError(listener.all()));
        List<String> baseLayers = new ArrayList<>();
        http.manifest(base).path("layers").forEach(l -> baseLayers.add(l.path("digest").asText()));
        List<String> layers = new ArrayList<>();
        http.manifest(ref).path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertEquals(baseLayers.size() + 3, layers.size(), "base image layers, then runtime, dependencies, function");
        assertEquals(baseLayers, layers.subList(0, baseLayers.size()));
        assertTrue(listener.of("hello").stream().anyMatch(l -> l.contains("(base registry:" + base + ")")), listener.all());
    }

    @Test
    void testClusterBase_goFunctionNeedsNoPulledBase() throws Exception {
        Templates templates = Templates.builtIn();
        templates.writeSample("go", repo.dir.resolve("hello-go"));
        String commit = repo.write("stack.yml", "version: 1.0\nfunctions:\n  hello-go:\n    lang: go\n    handler: ./hello-go\n")
                .commit("go");
        String owner = "go-" + System.nanoTime();
        // No base override and no reachable public registry: the static binary goes on the embedded base.
        Builder cluster = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cluster-cache"))
                .registry(registry, true).templates(templates.all()).baseMode(BuilderConfig.BaseMode.CLUSTER).build());
        RecordingListener listener = new RecordingListener();
        ImageRef ref = cluster.build(new BuildRequest(owner, "fns", repo.source(), commit, Map.of(), listener))
                .functions().get(0).image().orElseThrow(() -> new AssertionError(listener.all()));
        assertTrue(listener.of("hello-go").stream().anyMatch(l -> l.contains("(base embedded-base-1)")), listener.all());
        assertTrue(listener.of("hello-go").stream().anyMatch(l -> l.contains("--- PASS: TestGreetsTheNameInTheBody")), listener.all());
        ImageContents contents = cluster.imageSource().read(ref);
        assertEquals(2, contents.layers().size(), "embedded base, then the binary");
        assertEquals(List.of("/home/app/bin/handler"), contents.entrypoint());
        assertEquals(0755, Layers.entries(contents.layers().get(1)).get("home/app/bin/handler").mode(), "executable");
    }

    @Test
    void testRealTemplates_multiFunctionRepositoryThenOneHandlerChangedThenAFailingJUnitTest() throws Exception {
        Templates templates = Templates.builtIn();
        templates.writeSample("java17", repo.dir.resolve("hello-java"));
        templates.writeSample("python3", repo.dir.resolve("hello-python"));
        templates.writeSample("node20", repo.dir.resolve("hello-node"));
        repo.write("kubecon/handler.py", "def handle(req):\n    return \"Hello KubeCon! You said: \" + req\n");
        repo.write("kubecon/requirements.txt", "");
        repo.write("stack.yml", """
                provider:
                  name: faas
                  gateway: http://localhost:8080
                functions:
                  kubecon:
                    lang: python
                    handler: ./kubecon
                    image: alexellis/kubecon
                  hello-java:
                    lang: java11
                    handler: ./hello-java
                  hello-python:
                    lang: python3
                    handler: ./hello-python
                  hello-node:
                    lang: node20
                    handler: ./hello-node
                """);
        String first = repo.commit("four functions");
        String owner = "multi-" + System.nanoTime();
        Builder builder = builder("cache", templates.all());
        RecordingListener listener = new RecordingListener();
        BuildResult one = build(builder, owner, first, listener);
        for (FunctionBuild f : one.functions()) {
            assertEquals(FunctionBuild.Outcome.BUILT, f.outcome(), f.name() + ": " + f.reason() + "\n" + listener.all());
            JsonNode manifest = http.manifest(f.image().orElseThrow());
            assertTrue(manifest.path("layers").size() >= 3, f.name() + " has base, runtime and function layers");
            JsonNode config = http.blobJson(f.image().get(), manifest.path("config").path("digest").asText()).path("config");
            assertEquals("10001:10001", config.path("User").asText());
            assertEquals(f.name(), config.path("Labels").path("dev.driftless.function").asText());
            assertTrue(config.path("Entrypoint").size() > 0, f.name() + " has an entrypoint");
        }
        assertTrue(listener.of("hello-java").stream().anyMatch(l -> l.equals("tests: 2 run, 0 failed, 0 skipped")), listener.all());

        // Change one handler: only that function is built again; the others keep their digests.
        Path py = repo.dir.resolve("hello-python/handler.py");
        Files.writeString(py, Files.readString(py).replace("(from Python)", "(from Python, v2)"));
        Path pyTest = repo.dir.resolve("hello-python/handler_test.py");
        Files.writeString(pyTest, Files.readString(pyTest).replace("(from Python)", "(from Python, v2)"));
        String second = repo.commit("python v2");
        RecordingListener listener2 = new RecordingListener();
        BuildResult two = build(builder, owner, second, listener2);
        for (int i = 0; i < 4; i++) {
            FunctionBuild before = one.functions().get(i);
            FunctionBuild after = two.functions().get(i);
            if (after.name().equals("hello-python")) {
                assertEquals(FunctionBuild.Outcome.BUILT, after.outcome(), after.reason());
                assertNotEquals(before.image(), after.image());
                List<JsonNode> a = new ArrayList<>();
                List<JsonNode> b = new ArrayList<>();
                http.manifest(before.image().get()).path("layers").forEach(a::add);
                http.manifest(after.image().get()).path("layers").forEach(b::add);
                assertEquals(a.size(), b.size());
                long changed = 0;
                for (int l = 0; l < a.size(); l++) {
                    if (!a.get(l).path("digest").equals(b.get(l).path("digest"))) changed++;
                }
                assertEquals(1, changed, "a handler-only change is one new layer");
            } else {
                assertEquals(FunctionBuild.Outcome.REUSED, after.outcome(), after.name());
                assertEquals(before.image(), after.image());
                assertTrue(listener2.of(after.name()).contains("reusing " + before.image().get().digest() + " (inputs unchanged)"));
            }
        }

        // A failing JUnit test stops only the java function.
        Path test = repo.dir.resolve("hello-java/src/test/java/HandlerTest.java");
        Files.writeString(test, Files.readString(test).replace("\"Hello, world! (from Java)\"", "\"Goodbye\""));
        String third = repo.commit("break a java test");
        RecordingListener listener3 = new RecordingListener();
        BuildResult three = build(builder, owner, third, listener3);
        FunctionBuild java = three.functions().get(1);
        assertEquals(FunctionBuild.Outcome.FAILED, java.outcome());
        assertEquals("unit tests failed: 1 of 2", java.reason());
        assertTrue(java.image().isEmpty());
        assertTrue(listener3.of("hello-java").stream().anyMatch(l -> l.contains("Goodbye")), listener3.all());
        assertEquals(FunctionBuild.Outcome.REUSED, three.functions().get(0).outcome());
        assertEquals(FunctionBuild.Outcome.REUSED, three.functions().get(2).outcome());
        assertEquals(FunctionBuild.Outcome.REUSED, three.functions().get(3).outcome());
        try (Stream<Path> left = Files.list(tmp.resolve("work"))) {
            assertEquals(List.of(), left.toList());
        }
    }
}
