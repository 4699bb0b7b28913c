package dev.driftless.reconciler;

import dev.driftless.reconciler.cli.ExitCode;
import dev.driftless.reconciler.config.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    ExitCode run(Map<String, String> env, String... args) {
        return new Main(env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpAndUsageErrors() {
        assertEquals(ExitCode.OK, run(Map.of(), "--help"));
        assertEquals(ExitCode.USAGE, run(Map.of()));
        assertEquals(ExitCode.USAGE, run(Map.of(), "launch"));
        assertTrue(err().contains("unknown command 'launch'"));
        for (String command : new String[] {"serve", "demo", "token", "rollback", "suspend", "resume"}) {
            assertEquals(ExitCode.OK, run(Map.of(), command, "--help"), command);
        }
        assertEquals(ExitCode.USAGE, run(Map.of(), "serve", "--port", "1"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "token", "create"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "token", "create", "bad owner"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "rollback", "alice", "3", "--token", "t"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "rollback", "alice/hello", "three", "--token", "t"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "rollback", "alice/hello", "3"));
        assertTrue(err().contains("no token"));
    }

    @Test
    void aBadSettingIsAConfigurationErrorNamingIt() {
        assertEquals(ExitCode.CONFIGURATION, run(Map.of("DRIFTLESS_HTTP_PORT", "abc"), "serve"));
        assertTrue(err().contains("DRIFTLESS_HTTP_PORT: not a port number: 'abc'"), err());
    }

    @Test
    void anUnreachableStoreIsARuntimeFailure() {
        assertEquals(ExitCode.RUNTIME_FAILURE, run(Map.of("DRIFTLESS_DATA", dir.toString(),
                "DRIFTLESS_DB_URL", "jdbc:postgresql://127.0.0.1:1/none"), "token", "create", "alice"));
        assertTrue(err().contains("driftless: "), err());
    }

    @Test
    void tokenCreatePrintsANewTokenOnce() {
        assertEquals(ExitCode.OK, run(Map.of("DRIFTLESS_DATA", dir.toString()), "token", "create", "alice"));
        String token = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(token.startsWith("dl_"), token);
        assertTrue(Files.isDirectory(dir.resolve("db")));
    }

    @Test
    void rollbackReportsAnUnreachableDaemon() {
        assertEquals(ExitCode.RUNTIME_FAILURE, run(Map.of(), "rollback", "alice/hello", "3", "--token", "t",
                "--url", "http://127.0.0.1:1"));
        assertTrue(err().contains("cannot reach the daemon"), err());
    }

    @Test
    void theReadmeDocumentsEverySetting() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        for (Setting setting : Setting.values()) {
            assertTrue(text.contains("`" + setting.env() + "`") && text.contains("`" + setting.yamlKey() + "`"),
                    "README.md documents " + setting.env());
        }
    }
}
