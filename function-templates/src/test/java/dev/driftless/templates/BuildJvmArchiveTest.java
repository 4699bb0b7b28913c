package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.driftless.templates.javabuild.JavaBuildDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java17 build JVM's class-data archive, trained and mapped by a real JDK 17. */
class BuildJvmArchiveTest {
    private static final HostTools HOST = HostTools.fromEnvironment();

    @Test
    void trainsOnceAndTheArchiveMapsWithXshareOn(@TempDir Path tmp) throws Exception {
        BuildJvmArchive archive = new BuildJvmArchive(tools(tmp));
        List<String> log = new CopyOnWriteArrayList<>();

        BuildJvmArchive.Launch first = archive.launch(driverClasses(), consoleJar(), log::add);
        assertTrue(first.shared(), () -> String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("java17: made the build JVM's class-data archive")), () -> String.join("\n", log));

        log.clear();
        BuildJvmArchive.Launch second = archive.launch(driverClasses(), consoleJar(), log::add);
        assertEquals(first, second);
        assertEquals(List.of(), log, "the second build trains nothing");

        // -Xshare:on refuses to start when the archive cannot be mapped (wrong JDK, class path changed).
        Result run = runDriver(tmp, "-Xshare:on", second);
        assertEquals(0, run.exit, run.output);
    }

    @Test
    void aCorruptArchiveIsIgnoredSilently(@TempDir Path tmp) throws Exception {
        BuildJvmArchive archive = new BuildJvmArchive(tools(tmp));
        BuildJvmArchive.Launch launch = archive.launch(driverClasses(), consoleJar(), BuildLog.discard());
        Path jsa = Path.of(launch.jvmArguments().get(0).substring("-XX:SharedArchiveFile=".length()));
        jsa.toFile().setWritable(true);
        Files.write(jsa, "not an archive".getBytes(StandardCharsets.UTF_8));

        Result run = runDriver(tmp, "-Xshare:auto", launch);
        assertEquals(0, run.exit, run.output);
        assertEquals("", run.output.strip(), "no CDS warning in the build log");
    }

    @Test
    void concurrentFirstBuildsAllGetAWholeArchive(@TempDir Path tmp) throws Exception {
        BuildJvmArchive archive = new BuildJvmArchive(tools(tmp));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<BuildJvmArchive.Launch>> launches = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                launches.add(pool.submit(() -> archive.launch(driverClasses(), consoleJar(), BuildLog.discard())));
            }
            for (Future<BuildJvmArchive.Launch> launch : launches) {
                BuildJvmArchive.Launch l = launch.get();
                assertTrue(l.shared());
                Result run = runDriver(tmp, "-Xshare:on", l);
                assertEquals(0, run.exit, run.output);
            }
        } finally {
            pool.shutdownNow();
        }
        try (var files = Files.walk(tools(tmp).javaBuildCache())) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".partial")), "no half-written file left");
        }
    }

    @Test
    void withoutAConsoleJarThePlainClassPath(@TempDir Path tmp) throws Exception {
        BuildJvmArchive.Launch launch = new BuildJvmArchive(tools(tmp)).launch(driverClasses(), null, BuildLog.discard());
        assertEquals(List.of("-cp", driverClasses().toString()), launch.jvmArguments());
        assertFalse(launch.shared());
    }

    private static HostTools tools(Path tmp) {
        return new HostTools(HOST.javaHome(), HOST.mavenRepository(), tmp.resolve("home/.npm"));
    }

    private static Path driverClasses() throws Exception {
        return Path.of(JavaBuildDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path consoleJar() {
        String[] gav = MavenResolver.JUNIT_CONSOLE.split(":");
        Path jar = HOST.mavenRepository().resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                .resolve(gav[1] + "-" + gav[2] + ".jar");
        assertTrue(Files.isRegularFile(jar), jar + " (the java17 template's console launcher) must be in the local repository");
        return jar;
    }

    private record Result(int exit, String output) {
    }

    /** The build driver on an empty plan with the launch's arguments: the JVM starts, maps, exits 0. */
    private static Result runDriver(Path tmp, String share, BuildJvmArchive.Launch launch) throws Exception {
        Path plan = Files.writeString(Files.createTempFile(tmp, "plan", ".txt"), "");
        List<String> command = new ArrayList<>(List.of(HOST.java().toString(), share));
        command.addAll(launch.jvmArguments());
        command.addAll(List.of(JavaBuildDriver.class.getName(), plan.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }
}
