package dev.driftless.builder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole build against real git repositories and the local image store, with a test-only template. */
class BuilderTest {
    @TempDir
    Path tmp;
    Path work;
    Path cache;
    Path store;
    GitRepo repo;
    FakeTemplate python = new FakeTemplate("python3");
    FakeTemplate java = new FakeTemplate("java17", "java11");

    static final String STACK = """
            version: 1.0
            provider:
              name: openfaas
            functions:
              kubecon:
                lang: python
                handler: ./kubecon
                image: alexellis/kubecon
              hello:
                lang: java17
                handler: ./hello
                environment:
                  API_TOKEN: ${API_TOKEN}
                build_args:
                  SECRET_ARG: ${API_TOKEN}
            """;

    @BeforeEach
    void setUp() throws Exception {
        work = tmp.resolve("work");
        cache = tmp.resolve("cache");
        store = tmp.resolve("store");
        repo = GitRepo.init(tmp.resolve("src"));
    }

    Builder builder() {
        return builder(b -> { });
    }

    Builder builder(java.util.function.Consumer<BuilderConfig.Builder> tweak) {
        BuilderConfig.Builder b = BuilderConfig.builder().workRoot(work).cacheRoot(cache).localImageStore(store)
                .templates(List.of(python, java));
        tweak.accept(b);
        return new Builder(b.build());
    }

    BuildResult build(Builder builder, String commit, RecordingListener listener) throws Exception {
        return builder.build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of("API_TOKEN", "s3cr3t-t0ken"), listener));
    }

    String twoFunctions() throws Exception {
        return repo.write("stack.yml", STACK)
                .write("kubecon/handler.txt", "kubecon says hi\n")
                .write("kubecon/deps.txt", "requests==2.31.0\n")
                .write("hello/handler.txt", "hello v1\n")
                .commit("two functions");
    }

    void assertWorkspaceGone() throws IOException {
        try (Stream<Path> s = Files.list(work)) {
            assertEquals(List.of(), s.toList(), "workspaces left behind");
        }
    }

    @Test
    void testBuild_imagesByDigestWithLayersInOrderLabelsUserAndEntrypoint() throws Exception {
        String commit = twoFunctions();
        RecordingListener listener = new RecordingListener();
        Builder builder = builder();
        BuildResult result = build(builder, commit, listener);

        assertEquals(List.of("kubecon", "hello"), result.functions().stream().map(FunctionBuild::name).toList());
        FunctionBuild kubecon = result.functions().get(0);
        assertEquals(FunctionBuild.Outcome.BUILT, kubecon.outcome(), listener.all());
        assertTrue(kubecon.deployable());
        ImageRef ref = kubecon.image().orElseThrow();
        assertEquals("local/alice/fns/kubecon", ref.repository());
        assertEquals(listener.finished, result.functions());

        ImageContents image = builder.imageSource().read(ref);
        assertEquals(4, image.layers().size(), "base, runtime, dependencies, function");
        Map<String, Layers.Entry> base = Layers.entries(image.layers().get(0));
        assertTrue(base.get("etc/passwd").text().contains("app:x:10001:10001:app:/home/app:/sbin/nologin"));
        assertEquals(10001, base.get("home/app").uid());
        assertTrue(Layers.entries(image.layers().get(1)).containsKey("opt/runtime/entrypoint.sh"));
        assertEquals(0755, Layers.entries(image.layers().get(1)).get("opt/runtime/entrypoint.sh").mode());
        assertEquals("requests==2.31.0\n", Layers.entries(image.layers().get(2)).get("home/app/deps/deps.txt").text());
        Layers.Entry handler = Layers.entries(image.layers().get(3)).get("home/app/function/handler.txt");
        assertEquals("kubecon says hi\n", handler.text());
        assertEquals(0644, handler.mode());
        assertEquals(0, handler.uid());

        assertEquals(List.of("/opt/runtime/entrypoint.sh"), image.entrypoint());
        assertEquals("10001:10001", image.user());
        assertEquals("/home/app/function", image.workingDirectory());
        assertEquals("8080", image.environment().get("PORT"));
        assertEquals("python3", image.environment().get("FAKE_TEMPLATE"));
        assertEquals(Map.of(
                "org.opencontainers.image.source", repo.url(),
                "org.opencontainers.image.revision", commit,
                "dev.driftless.owner", "alice",
                "dev.driftless.repository", "fns",
                "dev.driftless.function", "kubecon"), image.labels());

        // The store is an OCI image layout that names each image for people.
        assertTrue(Files.readString(store.resolve("index.json")).contains("alice/fns/kubecon:" + commit.substring(0, 7)));
        assertTrue(Files.exists(store.resolve("oci-layout")));
        assertWorkspaceGone();
    }

    @Test
    void testBuild_handlerOnlyChangeRebuildsOnlyThatFunctionWithOneNewLayer() throws Exception {
        String first = twoFunctions();
        Builder builder = builder();
        BuildResult one = build(builder, first, new RecordingListener());
        String second = repo.write("hello/handler.txt", "hello v2\n").commit("change hello");
        RecordingListener listener = new RecordingListener();
        BuildResult two = build(builder, second, listener);

        FunctionBuild kubecon = two.functions().get(0);
        FunctionBuild hello = two.functions().get(1);
        assertEquals(FunctionBuild.Outcome.REUSED, kubecon.outcome());
        assertEquals(one.functions().get(0).image(), kubecon.image());
        assertEquals(one.functions().get(0).cacheKey(), kubecon.cacheKey());
        assertTrue(listener.of("kubecon").contains("reusing " + kubecon.image().orElseThrow().digest() + " (inputs unchanged)"));
        assertEquals(FunctionBuild.Outcome.BUILT, hello.outcome());
        assertNotEquals(one.functions().get(1).image(), hello.image());
        assertEquals(1, python.builds.get(), "kubecon built once");
        assertEquals(2, java.builds.get(), "hello built twice");

        List<ImageContents.Layer> before = builder.imageSource().read(one.functions().get(1).image().orElseThrow()).layers();
        List<ImageContents.Layer> after = builder.imageSource().read(hello.image().orElseThrow()).layers();
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size() - 1; i++) {
            assertEquals(before.get(i).digest(), after.get(i).digest(), "layer " + i + " unchanged");
        }
        assertNotEquals(before.get(before.size() - 1).digest(), after.get(after.size() - 1).digest());
    }

    @Test
    void testBuild_sameInputsGiveTheSameDigestWithoutAnyCache() throws Exception {
        String commit = twoFunctions();
        BuildResult one = build(builder(), commit, new RecordingListener());
        Path otherCache = tmp.resolve("cache2");
        Path otherStore = tmp.resolve("store2");
        BuildResult two = build(builder(b -> b.cacheRoot(otherCache).localImageStore(otherStore)), commit, new RecordingListener());
        assertEquals(FunctionBuild.Outcome.BUILT, two.functions().get(0).outcome());
        assertEquals(one.functions().get(0).image().orElseThrow().digest(), two.functions().get(0).image().orElseThrow().digest());
        assertEquals(one.functions().get(1).image().orElseThrow().digest(), two.functions().get(1).image().orElseThrow().digest());
    }

    @Test
    void testBuild_failingTestsStopOnlyThatFunction() throws Exception {
        String commit = repo.write("stack.yml", STACK)
                .write("kubecon/handler.txt", "hi\n")
                .write("hello/handler.txt", "hello\n")
                .write("hello/FAIL", "")
                .commit("hello has a failing test");
        RecordingListener listener = new RecordingListener();
        BuildResult result = build(builder(), commit, listener);
        FunctionBuild hello = result.functions().get(1);
        assertEquals(FunctionBuild.Outcome.FAILED, hello.outcome());
        assertEquals("unit tests failed: 1 of 2", hello.reason());
        assertEquals(Optional.empty(), hello.image());
        assertFalse(hello.deployable());
        assertTrue(listener.of("hello").contains("test_hello FAILED: expected 'hi' but was 'ho'"));
        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome());
        assertWorkspaceGone();
    }

    @Test
    void testBuild_unsupportedLangAndCompileErrorFailOnlyTheirFunction() throws Exception {
        String commit = repo.write("stack.yml", STACK.replace("lang: java17", "lang: cobol"))
                .write("kubecon/handler.txt", "hi\n")
                .write("kubecon/BROKEN", "")
                .write("hello/handler.txt", "hello\n")
                .commit("unsupported");
        BuildResult result = build(builder(), commit, new RecordingListener());
        assertEquals("compilation failed: Handler.java:3: ';' expected", result.functions().get(0).reason());
        assertEquals("unknown lang 'cobol' (supported: java11, java17, python, python3)", result.functions().get(1).reason());
    }

    @Test
    void testBuild_secretsAreRedactedAndLogsAreCapped() throws Exception {
        String commit = repo.write("stack.yml", STACK)
                .write("kubecon/handler.txt", "hi\n")
                .write("kubecon/NOISY", "")
                .write("hello/handler.txt", "hello\n")
                .write("hello/BROKEN_ARGS", "")
                .commit("noisy");
        RecordingListener listener = new RecordingListener();
        BuildResult result = build(builder(b -> b.maxLogBytesPerFunction(4096)), commit, listener);
        assertFalse(listener.all().contains("s3cr3t-t0ken"), listener.all());
        assertTrue(listener.of("hello").stream().anyMatch(l -> l.contains("SECRET_ARG=***")), listener.all());
        assertEquals("cannot use build args {SECRET_ARG=***}", result.functions().get(1).reason());
        List<String> kubecon = listener.of("kubecon");
        assertTrue(kubecon.contains("… log truncated: it reached the limit of 4.0 KiB; the build goes on"));
        int note = kubecon.indexOf("… log truncated: it reached the limit of 4.0 KiB; the build goes on");
        long bytes = kubecon.subList(0, note).stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1L).sum();
        assertTrue(bytes <= 4096 && bytes > 3900, "bytes before the note: " + bytes);
        assertFalse(kubecon.contains("noisy line 9999"));
        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome());
        assertTrue(kubecon.get(kubecon.size() - 1).startsWith("built local/alice/fns/kubecon@sha256:"));
    }

    @Test
    void testBuild_exactOlderCommitNotTheBranchHead() throws Exception {
        String old = twoFunctions();
        repo.write("kubecon/handler.txt", "newer\n").commit("newer head");
        Builder builder = builder();
        RecordingListener listener = new RecordingListener();
        BuildResult result = build(builder, old, listener);
        assertTrue(listener.of("-").contains("fetched commit " + old.substring(0, 7) + " (shallow)"), listener.all());
        ImageContents image = builder.imageSource().read(result.functions().get(0).image().orElseThrow());
        assertEquals("kubecon says hi\n", Layers.entries(image.layers().get(3)).get("home/app/function/handler.txt").text());
        assertEquals(old, image.labels().get("org.opencontainers.image.revision"));
    }

    @Test
    void testBuild_skipBuildAndConfigurationCopy() throws Exception {
        String commit = repo.write("stack.yml", """
                        version: 1.0
                        configuration:
                          copy:
                            - ./common
                        functions:
                          kubecon:
                            lang: python3
                            handler: ./kubecon
                          external:
                            lang: python3
                            handler: ./kubecon
                            skip_build: true
                        """)
                .write("kubecon/handler.txt", "hi\n")
                .write("common/util.txt", "shared\n")
                .commit("copy");
        Builder builder = builder();
        BuildResult result = build(builder, commit, new RecordingListener());
        assertEquals(FunctionBuild.Outcome.SKIPPED, result.functions().get(1).outcome());
        ImageContents image = builder.imageSource().read(result.functions().get(0).image().orElseThrow());
        assertEquals("shared\n", Layers.entries(image.layers().get(2)).get("home/app/function/common/util.txt").text());
    }

    @Test
    void removingAnImageDropsItsOwnBlobsKeepsSharedLayersAndImagesInUse() throws Exception {
        String first = twoFunctions();
        Builder builder = builder();
        BuildResult one = build(builder, first, new RecordingListener());
        String second = repo.write("hello/handler.txt", "hello v2\n").commit("change hello");
        BuildResult two = build(builder, second, new RecordingListener());
        ImageRef oldHello = one.functions().get(1).image().orElseThrow();
        ImageRef newHello = two.functions().get(1).image().orElseThrow();
        ImageRef kubecon = two.functions().get(0).image().orElseThrow();
        List<ImageContents.Layer> newLayers = builder.imageSource().read(newHello).layers();

        assertEquals(0, builder.removeLocalImages(List.of(kubecon.toString()), Set.of(kubecon.digest())),
                "an image in use stays");
        assertEquals(1, builder.removeLocalImages(List.of(newHello.toString()), Set.of()));

        ImageTarget target = (ImageTarget) builder.imageSource();
        assertFalse(target.exists(newHello), "gone from the store");
        assertFalse(Files.exists(store.resolve("blobs/sha256/" + newLayers.get(newLayers.size() - 1).digest().substring(7))),
                "its own handler layer is deleted");
        assertTrue(target.exists(oldHello), "the older image sharing its base layers is whole");
        assertTrue(target.exists(kubecon));
        assertFalse(Files.readString(store.resolve("index.json")).contains(newHello.digest()));
        assertEquals(0, builder.removeLocalImages(List.of(newHello.toString()), Set.of()), "twice is nothing");
        BuildResult again = build(builder, second, new RecordingListener());
        assertEquals(FunctionBuild.Outcome.BUILT, again.functions().get(1).outcome(), "a removed image is rebuilt, not reused");
    }

    @Test
    void testBuild_cachedImageMissingFromTheStoreIsRebuilt() throws Exception {
        String commit = twoFunctions();
        Builder builder = builder();
        BuildResult one = build(builder, commit, new RecordingListener());
        Workspace.deleteTree(store);
        BuildResult two = build(builder, commit, new RecordingListener());
        assertEquals(FunctionBuild.Outcome.BUILT, two.functions().get(0).outcome());
        assertEquals(one.functions().get(0).image(), two.functions().get(0).image());
    }

    @Test
    void testBuild_invalidStackReportsEveryProblemAndBuildsNothing() throws Exception {
        String commit = repo.write("stack.yml", """
                        version: 1.0
                        functions:
                          Hello:
                            lang: cobol
                            handler: ../../
                          a:
                            lang: python3
                            handler: ./a
                          a:
                            lang: python3
                            handler: ./a
                        """)
                .write("a/handler.txt", "a\n").commit("bad");
        StackInvalidException e = assertThrows(StackInvalidException.class, () -> build(builder(), commit, new RecordingListener()));
        assertEquals(List.of(
                "stack.yml:3:3: function name 'Hello' is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)",
                "stack.yml:4:11: unknown lang 'cobol' (supported: java11, java17, python, python3)",
                "stack.yml:5:14: handler: path '../../' escapes the repository",
                "stack.yml:9:3: function 'a' is defined twice (first at line 6)"),
                e.problems().stream().map(StackProblem::toString).toList());
        assertEquals(0, python.builds.get() + java.builds.get());
        assertWorkspaceGone();
    }

    @Test
    void testBuild_twoBuildsAtOnceShareTheStoreAndTheCache() throws Exception {
        String commit = twoFunctions();
        GitRepo other = GitRepo.init(tmp.resolve("other"));
        String otherCommit = other.write("stack.yml", STACK).write("kubecon/handler.txt", "other\n")
                .write("hello/handler.txt", "other hello\n").commit("other");
        Builder builder = builder();
        var pool = Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> build(builder, commit, new RecordingListener()));
            var b = pool.submit(() -> builder.build(new BuildRequest("bob", "fns", other.source(), otherCommit, Map.of(), new RecordingListener())));
            for (FunctionBuild f : Stream.concat(a.get().functions().stream(), b.get().functions().stream()).toList()) {
                assertEquals(FunctionBuild.Outcome.BUILT, f.outcome(), f.reason());
                assertTrue(builder.imageSource().read(f.image().orElseThrow()).layers().size() >= 3);
            }
        } finally {
            pool.shutdownNow();
        }
        String index = Files.readString(store.resolve("index.json"));
        assertTrue(index.contains("alice/fns/kubecon:") && index.contains("bob/fns/kubecon:") && index.contains("bob/fns/hello:"), index);
        assertWorkspaceGone();
    }

    @Test
    void testBuild_noStackFile() throws Exception {
        String commit = repo.write("README.md", "nothing\n").commit("empty");
        StackInvalidException e = assertThrows(StackInvalidException.class, () -> build(builder(), commit, new RecordingListener()));
        assertEquals("stack.yml:1:1: no stack.yml or stack.yaml at the repository root", e.getMessage());
    }

    @Test
    void testBuild_stackYamlIsReadWhenThereIsNoStackYml() throws Exception {
        String commit = repo.write("stack.yaml", "version: 1.0\nfunctions:\n  kubecon:\n    lang: python3\n    handler: kubecon\n")
                .write("kubecon/handler.txt", "hi\n").commit("yaml");
        assertEquals(FunctionBuild.Outcome.BUILT, build(builder(), commit, new RecordingListener()).functions().get(0).outcome());
    }
}
