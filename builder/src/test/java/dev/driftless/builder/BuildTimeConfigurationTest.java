package dev.driftless.builder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack.yml settings users already write, through a whole build from a real git repository: what reaches the
 * template ({@code build_args}) and what the builder hands the runtime ({@link FunctionBuild#spec()}).
 */
class BuildTimeConfigurationTest {
    @TempDir
    Path tmp;
    FakeTemplate python = new FakeTemplate("python3");

    static final String STACK = """
            version: 1.0
            functions:
              hello:
                lang: python3
                handler: ./hello
                environment:
                  SHARED: inline
                environment_file:
                  - env/common.yml
                  - env/prod.yml
                secrets: [api-key]
                labels:
                  com.openfaas.scale.min: "2"
                annotations:
                  topic: orders
                limits: {memory: 128Mi, cpu: 500m}
                requests: {memory: 64Mi, cpu: 100m}
                build_args:
                  PIP_INDEX: %s
            """;

    @Test
    void testSettingsReachTheTemplateAndTheRuntimeSpecAndBuildArgsAreInTheCacheKey() throws Exception {
        GitRepo repo = GitRepo.init(tmp.resolve("src"));
        String first = repo.write("stack.yml", STACK.formatted("internal"))
                .write("env/common.yml", "environment:\n  FROM_COMMON: a\n  SHARED: common\n  LEVEL: common\n")
                .write("env/prod.yml", "environment:\n  LEVEL: prod\n")
                .write("hello/handler.txt", "hi\n")
                .commit("one");
        Builder builder = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python)).build());
        RecordingListener listener = new RecordingListener();
        FunctionBuild one = builder.build(new BuildRequest("alice", "fns", repo.source(), first, Map.of(), listener)).functions().get(0);

        assertEquals(FunctionBuild.Outcome.BUILT, one.outcome(), listener.all());
        assertTrue(listener.of("hello").contains("fake build of hello with build args {PIP_INDEX=internal}"), listener.all());
        FunctionSpec spec = one.spec();
        // Later environment files win over earlier ones, and the explicit environment over both (as in faas-cli).
        assertEquals(Map.of("FROM_COMMON", "a", "SHARED", "inline", "LEVEL", "prod"), spec.environment());
        assertEquals(List.of("api-key"), spec.secrets());
        assertEquals(Map.of("com.openfaas.scale.min", "2"), spec.labels());
        assertEquals(Map.of("topic", "orders"), spec.annotations());
        assertEquals(Optional.of(128L << 20), spec.memoryLimitBytes());
        assertEquals(Optional.of(64L << 20), spec.memoryRequestBytes());
        assertEquals(Optional.of(500L), spec.cpuLimitMillis());
        assertEquals(Optional.of(100L), spec.cpuRequestMillis());

        // Another build_args value is another build; the same value again is reused.
        String second = repo.write("stack.yml", STACK.formatted("mirror")).commit("two");
        FunctionBuild two = builder.build(new BuildRequest("alice", "fns", repo.source(), second, Map.of(), new RecordingListener())).functions().get(0);
        assertEquals(FunctionBuild.Outcome.BUILT, two.outcome());
        assertNotEquals(one.cacheKey(), two.cacheKey());
        String third = repo.write("stack.yml", STACK.formatted("internal")).commit("three");
        FunctionBuild three = builder.build(new BuildRequest("alice", "fns", repo.source(), third, Map.of(), new RecordingListener())).functions().get(0);
        assertEquals(FunctionBuild.Outcome.REUSED, three.outcome());
        assertEquals(one.image(), three.image());
        assertEquals(2, python.builds.get());
    }

    @Test
    void testLangDockerfileFailsOnlyItsFunctionNamingFileLineAndColumn() throws Exception {
        GitRepo repo = GitRepo.init(tmp.resolve("src"));
        String commit = repo.write("stack.yml", """
                        functions:
                          custom:
                            lang: dockerfile
                            handler: ./custom
                          hello:
                            lang: python3
                            handler: ./hello
                        """)
                .write("custom/Dockerfile", "FROM alpine:3.19\n")
                .write("hello/handler.txt", "hi\n")
                .commit("dockerfile");
        Builder builder = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python)).build());
        RecordingListener listener = new RecordingListener();
        BuildResult result = builder.build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of(), listener));
        FunctionBuild custom = result.functions().get(0);
        assertEquals(FunctionBuild.Outcome.FAILED, custom.outcome());
        assertEquals(Optional.empty(), custom.image());
        assertTrue(listener.of("custom").contains("stack.yml:3:11: lang 'dockerfile' is not supported: images are built from templates"
                + " without a Docker daemon (supported: python, python3)"), listener.all());
        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(1).outcome());
    }
}
