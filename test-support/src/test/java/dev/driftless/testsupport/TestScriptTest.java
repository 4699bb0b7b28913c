package dev.driftless.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code scripts/test.sh} runs Maven with {@code CI=true} unless the caller set CI, so a machine missing a
 * component fails the tests instead of skipping them. The real script runs here with its component starters,
 * package installer and Maven replaced by stand-ins that record what they were given.
 */
class TestScriptTest {
    @TempDir
    Path root;

    @Test
    void mavenRunsUnderCiTrueByDefaultAndUnderWhatTheCallerSays() throws Exception {
        Path script = Path.of("..", "scripts", "test.sh").toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("scripts/lib"));
        Files.copy(script, root.resolve("scripts/test.sh"), StandardCopyOption.REPLACE_EXISTING);
        executable(root.resolve("scripts/install-test-deps.sh"), "#!/usr/bin/env bash\nexit 0\n");
        Files.writeString(root.resolve("scripts/lib/components.sh"), """
                start_postgres() { PG_URL=jdbc:postgresql://127.0.0.1:1/stand-in; }
                stop_postgres() { :; }
                start_registry() { REGISTRY_ADDR=127.0.0.1:1; REGISTRY_PID=""; }
                stop_registry() { :; }
                free_port() { echo 1; }
                """);
        Path examples = root.resolve("target/test-deps/webhooks-examples/package/api.github.com/index.json");
        Files.createDirectories(examples.getParent());
        Files.writeString(examples, "[]");
        Path bin = Files.createDirectories(root.resolve("bin"));
        executable(bin.resolve("mvn"), "#!/usr/bin/env bash\necho \"CI=${CI-unset} args=$*\" > \"$RECORD\"\n");

        assertEquals("CI=true args=-B -ntp verify -pl builder", run(bin, null));
        assertEquals("CI=false args=-B -ntp verify -pl builder", run(bin, "false"), "told otherwise");
    }

    private String run(Path bin, String ci) throws IOException, InterruptedException {
        Path record = root.resolve("record.txt");
        Files.deleteIfExists(record);
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("scripts/test.sh").toString(), "-pl", "builder")
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.put("RECORD", record.toString());
        env.remove("CI");
        if (ci != null) {
            env.put("CI", ci);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("scripts/test.sh failed: " + output);
        }
        return Files.readString(record).strip();
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
