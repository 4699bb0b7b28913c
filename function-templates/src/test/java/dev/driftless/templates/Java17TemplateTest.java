package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java17 template with real Maven, javac, JUnit launcher and java processes. */
class Java17TemplateTest {

    private static final String HANDLER_HEADER = """
            package com.openfaas.function;

            import com.openfaas.model.IRequest;
            import com.openfaas.model.IResponse;
            import com.openfaas.model.Response;

            """;

    @Test
    void sampleCompilesPassesItsTestsAndServesOverHttp(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("java17", tmp);
        TemplateBuild build = b.build("java17");

        assertEquals(new TestReport(2, 0, 0), build.tests());
        assertEquals(List.of("runtime", "dependencies", "function"), build.layers().stream().map(ImageLayer::name).toList());
        assertEquals(List.of("/opt/driftless/runtime", "/opt/driftless/lib", "/home/app/function"),
                build.layers().stream().map(ImageLayer::pathInImage).toList());
        Path runtime = build.layers().get(0).sourceDir();
        assertTrue(Files.isRegularFile(runtime.resolve("classes/dev/driftless/entrypoint/java/Main.class")));
        assertTrue(Files.isRegularFile(runtime.resolve("lib/com.openfaas.model-0.1.1.jar")), () -> list(runtime));
        Path function = build.layers().get(2).sourceDir();
        assertTrue(Files.isRegularFile(function.resolve("com/openfaas/function/Handler.class")));
        assertFalse(Files.exists(function.resolve("HandlerTest.class")), "test classes stay out of the image");
        assertEquals(List.of(), Trees.files(build.layers().get(1).sourceDir(), java.util.Set.of()),
                "the sample declares only the model (provided) and JUnit (test)");
        assertTrue(b.logText().contains("com.openfaas:model:0.1.1 (build.gradle line 7): provided by the java17 runtime"), b.logText());
        assertTrue(b.logText().contains("org.junit.jupiter:junit-jupiter:5.14.1 (build.gradle line 8): tests run on the JUnit console launcher"), b.logText());

        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            HttpResponse<String> health = fn.get("/_/health");
            assertEquals(200, health.statusCode());
            assertEquals("OK", health.body());

            HttpResponse<String> hello = fn.get("/");
            assertEquals(200, hello.statusCode());
            assertEquals("Hello, world! (from Java)", hello.body());
            assertEquals("java17-sample", hello.headers().firstValue("X-Handler").orElseThrow());
            assertEquals("Hello, Ada! (from Java)", fn.post("/some/sub/path?x=1", "Ada").body());
            assertEquals(200, fn.send(HttpRequest.newBuilder(fn.uri("/x")).method("DELETE", HttpRequest.BodyPublishers.noBody())).statusCode());

            // 12 MiB in, 12 MiB (plus greeting) out.
            String big = "a".repeat(12 * 1024 * 1024);
            assertEquals("Hello, ".length() + big.length() + "! (from Java)".length(), fn.post("/", big).body().length());

            assertConcurrentAnswers(fn, "Hello, caller-%d! (from Java)");
        }
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishThenStops(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("src/main/java/com/openfaas/function/Handler.java", HANDLER_HEADER + """
                public class Handler extends com.openfaas.model.AbstractHandler {
                    public IResponse Handle(IRequest req) {
                        System.out.println("started " + req.getPathRaw());
                        System.out.flush();
                        try {
                            Thread.sleep(1500);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        Response res = new Response();
                        res.setBody("done " + req.getPathRaw());
                        return res;
                    }
                }
                """);
        TemplateBuild build = b.build("java17");
        java.util.concurrent.ExecutorService client = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            java.util.concurrent.Future<HttpResponse<String>> slow = client.submit(() -> fn.get("/slow"));
            for (int i = 0; i < 600 && !Files.readString(fn.output).contains("started /slow"); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(fn.output).contains("started /slow"), Files.readString(fn.output));
            // SIGTERM to the JVM, as the local runtime and the kubelet send it.
            ProcessHandle jvm = java.util.stream.Stream.concat(java.util.stream.Stream.of(fn.process.toHandle()),
                            fn.process.descendants())
                    .filter(h -> h.info().commandLine().orElse("").contains("dev.driftless.entrypoint.java.Main"))
                    .findFirst().orElseThrow();
            jvm.destroy();
            HttpResponse<String> answer = slow.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode());
            assertEquals("done /slow", answer.body(), "the request in flight finished");
            assertTrue(jvm.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS) != null);
            assertFalse(jvm.isAlive(), "then the function stopped");
        } finally {
            client.shutdownNow();
        }
    }

    @Test
    void failingJUnitTestFailsTheBuildWithCounts(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("java17", tmp).file("src/test/java/MoreTest.java", """
                import static org.junit.jupiter.api.Assertions.assertEquals;
                import org.junit.jupiter.api.Test;
                class MoreTest {
                    @Test void wrongGreeting() {
                        assertEquals("Bonjour", new com.openfaas.function.Handler().Handle(new com.openfaas.model.Request("", java.util.Map.of())).getBody());
                    }
                }
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("java17"));
        assertEquals(new TestReport(3, 1, 0), e.report());
        assertEquals("unit tests failed: 1 of 3", e.getMessage());
        assertTrue(b.logText().contains("expected: <Bonjour> but was: <Hello, world! (from Java)>"), b.logText());
    }

    @Test
    void handlerThatThrowsGives500AndTheServerStaysUp(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("src/main/java/com/openfaas/function/Handler.java", HANDLER_HEADER + """
                public class Handler extends com.openfaas.model.AbstractHandler {
                    public IResponse Handle(IRequest req) {
                        if (req.getPathRaw().startsWith("/boom")) {
                            throw new IllegalStateException("kaboom");
                        }
                        Response res = new Response();
                        res.setStatusCode(201);
                        res.setBody(((dev.driftless.entrypoint.java.DriftlessRequest) req).getMethod() + " " + req.getPathRaw() + " " + req.getQuery().get("q"));
                        return res;
                    }
                }
                """);
        // The handler casts to the entrypoint's request class: it must compile against the runtime layer.
        TemplateBuild build = b.build("java17");
        assertEquals(TestReport.none(), build.tests());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            HttpResponse<String> boom = fn.get("/boom");
            assertEquals(500, boom.statusCode());
            assertTrue(boom.body().contains("kaboom"), boom.body());
            HttpResponse<String> ok = fn.send(HttpRequest.newBuilder(fn.uri("/a/b?q=1")).PUT(HttpRequest.BodyPublishers.ofString("x")));
            assertEquals(201, ok.statusCode());
            assertEquals("PUT /a/b 1", ok.body());
            assertTrue(fn.process.isAlive());
        }
    }

    @Test
    void gradleImplementationDependencyLandsInTheDependenciesLayerAndWorks(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("build.gradle", """
                plugins {
                    id 'java'
                }
                repositories { mavenCentral() }
                dependencies {
                    implementation 'org.apache.commons:commons-lang3:3.14.0'
                    testImplementation "org.junit.jupiter:junit-jupiter:5.14.1"
                }
                """).file("src/main/java/com/openfaas/function/Handler.java", HANDLER_HEADER + """
                import org.apache.commons.lang3.StringUtils;
                public class Handler extends com.openfaas.model.AbstractHandler {
                    public IResponse Handle(IRequest req) {
                        Response res = new Response();
                        res.setBody(StringUtils.reverse(req.getBody()) + "|" + StringUtils.capitalize("lang3"));
                        return res;
                    }
                }
                """);
        TemplateBuild build = b.build("java17");
        Path deps = build.layers().get(1).sourceDir();
        assertTrue(Files.isRegularFile(deps.resolve("org.apache.commons.commons-lang3-3.14.0.jar")), () -> list(deps));
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("cba|Lang3", fn.post("/", "abc").body());
        }
    }

    @Test
    void pomXmlDependenciesAreResolvedToo(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("pom.xml", """
                <project>
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId><artifactId>fn</artifactId><version>1.0</version>
                  <properties><lang3.version>3.14.0</lang3.version></properties>
                  <dependencies>
                    <dependency><groupId>org.apache.commons</groupId><artifactId>commons-lang3</artifactId><version>${lang3.version}</version></dependency>
                    <dependency><groupId>com.openfaas</groupId><artifactId>model</artifactId><version>0.1.1</version></dependency>
                  </dependencies>
                </project>
                """).file("src/main/java/com/openfaas/function/Handler.java", HANDLER_HEADER + """
                public class Handler extends com.openfaas.model.AbstractHandler {
                    public IResponse Handle(IRequest req) {
                        Response res = new Response();
                        res.setBody(org.apache.commons.lang3.StringUtils.swapCase(req.getBody()));
                        return res;
                    }
                }
                """).file("src/test/java/HandlerTest.java", """
                import static org.junit.jupiter.api.Assertions.assertEquals;
                class HandlerTest {
                    @org.junit.jupiter.api.Test void swaps() {
                        assertEquals("aBc", new com.openfaas.function.Handler().Handle(new com.openfaas.model.Request("AbC", java.util.Map.of())).getBody());
                    }
                }
                """);
        TemplateBuild build = b.build("java17");
        assertEquals(new TestReport(1, 0, 0), build.tests());
        assertEquals(List.of(build.layers().get(1).sourceDir().resolve("org.apache.commons.commons-lang3-3.14.0.jar")),
                Trees.files(build.layers().get(1).sourceDir(), java.util.Set.of()), "the model is not duplicated into the dependencies layer");
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("hELLO", fn.post("/", "Hello").body());
        }
    }

    @Test
    void unresolvableDependencyIsAClearError(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("java17", tmp).file("build.gradle", """
                plugins { id 'java' }
                dependencies { implementation 'dev.driftless.nonexistent:no-such-artifact:9.9.9' }
                """);
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("java17"));
        assertTrue(e.getMessage().startsWith("could not resolve the function's dependencies from Maven Central"), e.getMessage());
        assertTrue(e.getMessage().contains("dev.driftless.nonexistent:no-such-artifact"), e.getMessage());
    }

    @Test
    void unsupportedBuildGradleLineIsAnErrorNamingIt(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("java17", tmp).file("build.gradle", """
                plugins {
                    id 'java'
                    id 'org.springframework.boot' version '3.2.0'
                }
                repositories {
                    mavenCentral()
                    maven { url 'https://repo.example.com/maven' }
                }
                dependencies {
                    implementation 'com.google.guava:guava:33.0.0-jre'
                }
                """);
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("java17"));
        assertTrue(e.getMessage().contains("build.gradle line 3: plugin `id 'org.springframework.boot' version '3.2.0'` is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("build.gradle line 7: `maven {` is not supported"), e.getMessage());
    }

    @Test
    void testThatSleepsForeverIsKilledAtTheTimeLimit(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("java17", tmp).file("src/test/java/SleepTest.java", """
                import org.junit.jupiter.api.Test;
                class SleepTest {
                    @Test void sleepsForever() throws Exception {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                }
                """);
        b.testTimeout = Duration.ofSeconds(5);
        long start = System.nanoTime();
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("java17"));
        assertEquals("tests timed out after 5 s", e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 60);
        assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().commandLine().orElse("").contains("junit-platform-console")),
                "the test JVM was killed");
    }

    @Test
    void testsDoNotSeeTheDaemonsEnvironment(@TempDir Path tmp) throws Exception {
        assertNotNull(System.getenv("DRIFTLESS_TEST_PARENT_SECRET"), "surefire sets this variable in the parent");
        Builds b = Builds.ofSample("java17", tmp).file("src/test/java/EnvTest.java", """
                import org.junit.jupiter.api.Test;
                class EnvTest {
                    @Test void printsEnvironment() {
                        System.getenv().forEach((k, v) -> System.out.println("ENV " + k + "=" + v));
                    }
                }
                """);
        b.build("java17");
        List<String> env = b.log.stream().filter(l -> l.contains("ENV ")).map(l -> l.substring(l.indexOf("ENV ") + 4)).toList();
        assertTrue(env.contains("HOME=" + b.work), env.toString());
        assertTrue(env.stream().anyMatch(l -> l.startsWith("PATH=")), env.toString());
        assertFalse(env.stream().anyMatch(l -> l.contains("DRIFTLESS_TEST_PARENT_SECRET") || l.contains("parent-secret-value")), env.toString());
        assertEquals(java.util.Set.of("PATH", "HOME", "LANG"), env.stream().map(l -> l.substring(0, l.indexOf('='))).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void openFaasJUnit4TestsRunThroughTheVintageEngine(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("java17", tmp)
                .file("build.gradle", """
                        plugins { id 'java-library' }
                        dependencies {
                            testImplementation 'junit:junit:4.13.2'
                            implementation 'com.openfaas:model:0.1.1'
                        }
                        repositories { jcenter() }
                        jar {
                            manifest {
                                attributes 'Implementation-Title': 'OpenFaaS Function',
                                           'Implementation-Version': '1.0'
                            }
                        }
                        """)
                .file("src/test/java/HandlerTest.java", """
                        import org.junit.Test;
                        import static org.junit.Assert.*;
                        import com.openfaas.function.Handler;
                        import com.openfaas.model.IHandler;
                        public class HandlerTest {
                            @Test public void handlerIsNotNull() {
                                IHandler handler = new Handler();
                                assertTrue("Expected handler not to be null", handler != null);
                            }
                        }
                        """);
        assertEquals(new TestReport(1, 0, 0), b.build("java17").tests());
    }

    @Test
    void compileErrorIsReportedWithJavacsMessage(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("java17", tmp).file("src/main/java/com/openfaas/function/Handler.java",
                HANDLER_HEADER + "public class Handler extends com.openfaas.model.AbstractHandler { public IResponse Handle(IRequest req) { return nope; } }\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("java17"));
        assertTrue(e.getMessage().startsWith("compilation failed"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot find symbol"), e.getMessage());
    }

    @Test
    void identicalInputsGiveByteIdenticalLayers(@TempDir Path tmp) throws Exception {
        TemplateBuild first = Builds.ofSample("java17", tmp.resolve("a")).build("java17");
        TemplateBuild second = Builds.ofSample("java17", tmp.resolve("b")).build("java17");
        for (int i = 0; i < 3; i++) {
            assertEquals(RunningFunction.snapshot(first.layers().get(i).sourceDir()), RunningFunction.snapshot(second.layers().get(i).sourceDir()));
        }
        assertEquals(first.entrypoint(), second.entrypoint());
    }

    static void assertConcurrentAnswers(RunningFunction fn, String expected) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                int n = i;
                calls.add(() -> fn.post("/", "caller-" + n).body());
            }
            List<Future<String>> answers = pool.invokeAll(calls);
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(String.format(expected, i), answers.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String list(Path dir) {
        try {
            return Trees.files(dir, java.util.Set.of()).toString();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
