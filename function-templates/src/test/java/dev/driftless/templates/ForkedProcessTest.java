package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForkedProcessTest {

    private static ForkedProcess sh(String script, Path dir, Map<String, String> env, Duration timeout) {
        return new ForkedProcess("tests", List.of("/bin/sh", "-c", script), dir, env, timeout);
    }

    @Test
    void childSeesOnlyTheGivenEnvironment(@TempDir Path dir) throws Exception {
        assertNotNull(System.getenv("DRIFTLESS_TEST_PARENT_SECRET"), "surefire sets this variable in the parent");
        List<String> log = new CopyOnWriteArrayList<>();
        ForkedProcess.Result result = sh("env | sort", dir, Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString()), Duration.ofSeconds(10)).run(log::add);
        assertEquals(0, result.exitCode());
        List<String> names = new ArrayList<>();
        log.forEach(line -> names.add(line.substring(0, line.indexOf('='))));
        // sh itself adds PWD (and dash may add OLDPWD); nothing comes from the daemon.
        names.removeAll(List.of("PWD", "OLDPWD", "SHLVL", "_"));
        assertEquals(List.of("HOME", "PATH"), names);
    }

    @Test
    void outputStreamsLineByLineAndTheTailIsKept(@TempDir Path dir) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        ForkedProcess.Result result = sh("i=0; while [ $i -lt 1000 ]; do echo line $i; i=$((i+1)); done; echo err >&2; exit 3",
                dir, Map.of("PATH", "/usr/bin:/bin"), Duration.ofSeconds(20)).run(log::add);
        assertEquals(3, result.exitCode());
        assertEquals(1001, log.size());
        assertEquals("line 0", log.get(0));
        assertEquals(ForkedProcess.TAIL_LINES, result.tail().size());
        assertEquals("err", result.tail().get(result.tail().size() - 1));
    }

    @Test
    void logIsCappedAndLongLinesAreCut(@TempDir Path dir) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        sh("head -c 10000 /dev/zero | tr '\\0' x; echo; seq 1 6000", dir, Map.of("PATH", "/usr/bin:/bin"), Duration.ofSeconds(20)).run(log::add);
        assertTrue(log.get(0).length() < 4_100, "a 10 000-character line is cut");
        assertEquals(ForkedProcess.MAX_LOG_LINES + 1, log.size());
        assertEquals("… output truncated after 5000 lines", log.get(log.size() - 1));
    }

    @Test
    void timeoutKillsTheWholeProcessTree(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        List<String> log = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        TemplateException e = assertThrows(TemplateException.class, () -> sh("sleep 1000 & echo $! > " + pidFile + "; wait",
                dir, Map.of("PATH", "/usr/bin:/bin"), Duration.ofSeconds(2)).run(log::add));
        assertEquals("tests timed out after 2 s", e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15);
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        assertTrue(ProcessHandle.of(grandchild).map(p -> !p.isAlive()).orElse(true), "the background sleep was killed too");
        assertTrue(log.get(log.size() - 1).contains("timed out after 2 s"));
    }

    @Test
    void missingCommandIsATemplateException(@TempDir Path dir) {
        TemplateException e = assertThrows(TemplateException.class, () -> new ForkedProcess("javac", List.of("/no/such/javac"), dir,
                Map.of(), Duration.ofSeconds(5)).run(BuildLog.discard()));
        assertTrue(e.getMessage().startsWith("javac could not start /no/such/javac"), e.getMessage());
    }
}
