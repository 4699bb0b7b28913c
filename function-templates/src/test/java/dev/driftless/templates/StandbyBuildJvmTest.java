package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.driftless.templates.javabuild.JavaBuildDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java17 template's warm standby build JVM: one build per JVM, the cold path when none is ready, none left behind. */
class StandbyBuildJvmTest {
    private static final Duration WARM_UP = Duration.ofMinutes(2);
    private static final String STANDBY_LINE = "java17: build JVM started ahead of time, warmed up on built-in sources (pid ";

    @TempDir
    Path tmp;
    private Java17Template template;
    private int builds;

    @BeforeEach
    void newTemplate() {
        // A template of its own: the shared one of the other tests may have a standby of its own.
        template = new Java17Template(HostTools.fromEnvironment(), TemplateFiles.load("templates/java17"),
                TemplateFiles.load("dev/driftless/entrypoint/java"));
    }

    @AfterEach
    void closeTemplate() {
        template.close();
    }

    @Test
    void consecutiveBuildsRunOnDifferentStandbysAndEachExitsAfterItsBuild() throws Exception {
        Build first = sample();
        first.run();
        assertEquals(-1, first.standbyPid(), "the first build has no standby yet: cold path\n" + first.logText());
        // As the builder does: the build's folder (with its resolved jars) goes right after the build.
        Trees.delete(first.work);

        long one = template.awaitStandby(WARM_UP).orElseThrow();
        Build second = sample();
        assertEquals(new TestReport(2, 0, 0), second.run().tests());
        assertEquals(one, second.standbyPid(), second.logText());
        ProcessHandle.of(one).ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertFalse(ProcessHandle.of(one).map(ProcessHandle::isAlive).orElse(false), "the standby exited after its one build");

        long two = template.awaitStandby(WARM_UP).orElseThrow();
        assertNotEquals(one, two, "a new JVM for the next build");
        Build third = sample();
        assertEquals(new TestReport(2, 0, 0), third.run().tests());
        assertEquals(two, third.standbyPid(), third.logText());
    }

    @Test
    void aStandbyOutlivesTheFolderOfTheBuildThatStartedIt() throws Exception {
        Build first = sample();
        first.run();
        Trees.delete(first.work); // as the builder does, with the jars resolved for that build
        long standby = template.awaitStandby(WARM_UP).orElseThrow();
        Thread.sleep(8_000); // the daemon idles: the standby does the rest of its warm-up meanwhile
        Build second = sample();
        assertEquals(new TestReport(2, 0, 0), second.run().tests());
        assertEquals(standby, second.standbyPid(), second.logText());
    }

    @Test
    void withNoStandbyReadyTheBuildTakesTheColdPath() throws Exception {
        Build first = sample();
        assertEquals(new TestReport(2, 0, 0), first.run().tests());
        assertEquals(-1, first.standbyPid(), first.logText());

        // A standby that died while waiting: this build goes cold, and a new one is started for the next.
        long dead = template.awaitStandby(WARM_UP).orElseThrow();
        ProcessHandle.of(dead).orElseThrow().destroyForcibly();
        ProcessHandle.of(dead).ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        Build second = sample();
        assertEquals(new TestReport(2, 0, 0), second.run().tests());
        assertEquals(-1, second.standbyPid(), second.logText());
        long replacement = template.awaitStandby(WARM_UP).orElseThrow();
        assertNotEquals(dead, replacement);
        Build third = sample();
        third.run();
        assertEquals(replacement, third.standbyPid(), third.logText());
    }

    @Test
    void twoBuildsAtOnceShareNoJvm() throws Exception {
        sample().run();
        long one = template.awaitStandby(WARM_UP).orElseThrow();
        Build a = sample();
        Build b = sample();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<TemplateBuild> first = pool.submit(a::run);
            Future<TemplateBuild> second = pool.submit(b::run);
            assertEquals(new TestReport(2, 0, 0), first.get().tests());
            assertEquals(new TestReport(2, 0, 0), second.get().tests());
        } finally {
            pool.shutdownNow();
        }
        // One took the standby; the other went cold (or, on a slow machine, took the next standby).
        assertEquals(1, Stream.of(a, b).filter(x -> x.standbyPid() == one).count(), a.logText() + "\n\n" + b.logText());
        assertNotEquals(a.standbyPid(), b.standbyPid());
    }

    @Test
    void closingTheTemplateLeavesNoStandbyAlive() throws Exception {
        Set<Long> before = standbyPids();
        Set<Path> foldersBefore = standbyFolders();
        sample().run();
        long ready = template.awaitStandby(WARM_UP).orElseThrow();
        sample().run(); // takes it, and a new one starts warming up
        template.close();
        assertFalse(ProcessHandle.of(ready).map(ProcessHandle::isAlive).orElse(false));
        Set<Long> left = standbyPids();
        left.removeAll(before);
        assertEquals(Set.of(), left, "no standby build JVM of this template is left");
        assertTrue(template.awaitStandby(Duration.ofSeconds(1)).isEmpty());
        Set<Path> folders = standbyFolders();
        for (int i = 0; i < 50 && !foldersBefore.containsAll(folders); i++) {
            Thread.sleep(100); // the taken one's folder goes when its exit is seen
            folders = standbyFolders();
        }
        folders.removeAll(foldersBefore);
        assertEquals(Set.of(), folders, "the standbys' folders are deleted");
    }

    @Test
    void aFailingUnitTestStillFailsTheBuildWithItsOutput() throws Exception {
        sample().run();
        long standby = template.awaitStandby(WARM_UP).orElseThrow();
        Build failing = sample().file("src/test/java/MoreTest.java", """
                import static org.junit.jupiter.api.Assertions.assertEquals;
                import org.junit.jupiter.api.Test;
                class MoreTest {
                    @Test void wrongGreeting() {
                        assertEquals("Bonjour", new com.openfaas.function.Handler().Handle(new com.openfaas.model.Request("", java.util.Map.of())).getBody());
                    }
                }
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, failing::run);
        assertEquals(standby, failing.standbyPid(), failing.logText());
        assertEquals(new TestReport(3, 1, 0), e.report());
        assertEquals("unit tests failed: 1 of 3", e.getMessage());
        assertTrue(failing.logText().contains("expected: <Bonjour> but was: <Hello, world! (from Java)>"), failing.logText());
        assertTrue(failing.logText().contains("==> java17: running tests (time limit 60 s)"), failing.logText());
    }

    @Test
    void aCompileErrorOnTheStandbyNamesFileAndLine() throws Exception {
        sample().run();
        long standby = template.awaitStandby(WARM_UP).orElseThrow();
        Build broken = sample().file("src/main/java/com/openfaas/function/Handler.java", """
                package com.openfaas.function;
                public class Handler extends com.openfaas.model.AbstractHandler {
                    public com.openfaas.model.IResponse Handle(com.openfaas.model.IRequest req) { return nope; }
                }
                """);
        TemplateException e = assertThrows(TemplateException.class, broken::run);
        assertEquals(standby, broken.standbyPid(), broken.logText());
        assertTrue(e.getMessage().startsWith("compilation failed"), e.getMessage());
        assertTrue(e.getMessage().contains("Handler.java:3: error: cannot find symbol"), e.getMessage());
    }

    @Test
    void testsOnTheStandbySeeTheBuildsEnvironmentOnly() throws Exception {
        sample().run();
        long standby = template.awaitStandby(WARM_UP).orElseThrow();
        Build b = sample().file("src/test/java/EnvTest.java", """
                import org.junit.jupiter.api.Test;
                class EnvTest {
                    @Test void printsEnvironment() throws Exception {
                        System.getenv().forEach((k, v) -> System.out.println("ENV " + k + "=" + v));
                        Process child = new ProcessBuilder("sh", "-c", "cd \\"$HOME\\" && pwd -P").start();
                        System.out.println("CHILD HOME " + new String(child.getInputStream().readAllBytes()).strip());
                        System.out.println("STDIN " + System.in.read());
                    }
                }
                """);
        b.run();
        assertEquals(standby, b.standbyPid(), b.logText());
        List<String> env = b.log.stream().filter(l -> l.contains("ENV ")).map(l -> l.substring(l.indexOf("ENV ") + 4)).toList();
        assertTrue(env.contains("HOME=" + b.work), env.toString());
        assertEquals(Set.of("PATH", "HOME", "LANG"), env.stream().map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toSet()));
        assertTrue(b.logText().contains("CHILD HOME " + b.work.toRealPath()), "a child's HOME is the build's folder too\n" + b.logText());
        assertTrue(b.logText().contains("STDIN -1"), "stdin is at its end, as /dev/null is\n" + b.logText());
    }

    /** The standbys' temporary folders (any JVM's). */
    private static Set<Path> standbyFolders() throws Exception {
        try (Stream<Path> list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("driftless-java17-standby-")).collect(Collectors.toSet());
        }
    }

    /** Pids of standby build JVMs below this JVM (any template's). */
    private static Set<Long> standbyPids() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(JavaBuildDriver.class.getName() + " " + JavaBuildDriver.STANDBY))
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private Build sample() throws Exception {
        Build b = new Build(Files.createDirectories(tmp.resolve("build-" + (builds++))));
        TemplateFiles.load("templates/java17").under("sample").writeTo(b.handler);
        return b;
    }

    /** One build of a handler folder on this test's template, its log kept. */
    private final class Build {
        final Path handler;
        final Path work;
        final List<String> log = new CopyOnWriteArrayList<>();

        Build(Path dir) throws Exception {
            handler = Files.createDirectories(dir.resolve("handler"));
            work = Files.createDirectories(dir.resolve("work"));
        }

        Build file(String path, String content) throws Exception {
            Path file = handler.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return this;
        }

        TemplateBuild run() throws TemplateException {
            return template.build(new TemplateContext("fn", handler, work, Map.of(), Duration.ofSeconds(60), log::add));
        }

        /** The standby's pid from the build log, -1 when the build ran on a JVM of its own. */
        long standbyPid() {
            return log.stream().filter(l -> l.startsWith(STANDBY_LINE))
                    .mapToLong(l -> Long.parseLong(l.substring(STANDBY_LINE.length(), l.length() - 1)))
                    .findFirst().orElse(-1);
        }

        String logText() {
            return String.join("\n", log);
        }
    }
}
