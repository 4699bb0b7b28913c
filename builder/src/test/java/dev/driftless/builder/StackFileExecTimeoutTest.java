package dev.driftless.builder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An {@code exec_timeout} we would not honour is a problem at its line and column, not a silent 30 s. */
class StackFileExecTimeoutTest {
    @TempDir
    Path repo;

    private final StackFileParser parser = new StackFileParser(
            new TemplateCatalog(List.of(new FakeTemplate("python3"))), 1L << 30, 1000, 50);

    @BeforeEach
    void handler() throws IOException {
        Files.createDirectories(repo.resolve("hello"));
    }

    private StackFileParser.Outcome parse(String timeout) throws IOException {
        return parser.parse(repo.toRealPath(), "stack.yml", """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                    environment:
                      write_debug: true
                      exec_timeout: %s
                """.formatted(timeout), Map.of());
    }

    @Test
    void valuesOutOfRangeOrNotWholeSecondsAreErrorsAtTheValue() throws IOException {
        Map<String, String> expected = Map.of(
                "20m", "stack.yml:10:21: exec_timeout '20m' is above the 15 minute maximum",
                "0", "stack.yml:10:21: exec_timeout '0' must be at least 1s",
                "1.5m", "stack.yml:10:21: exec_timeout '1.5m' is not a duration Driftless reads: whole hours, "
                        + "minutes and seconds such as 30s, 2m or 1m30s (plain numbers are seconds), from 1s to 15m",
                "500ms", "stack.yml:10:21: exec_timeout '500ms' is not a duration Driftless reads: whole hours, "
                        + "minutes and seconds such as 30s, 2m or 1m30s (plain numbers are seconds), from 1s to 15m");
        for (Map.Entry<String, String> value : expected.entrySet()) {
            StackFileParser.Outcome outcome = parse(value.getKey());
            assertTrue(outcome.stack().isEmpty(), value.getKey() + " makes the file unusable");
            assertEquals(List.of(value.getValue()), outcome.problems().stream().map(StackProblem::toString).toList());
        }
    }

    @Test
    void valuesInRangeAreKept() throws IOException {
        for (String ok : List.of("30s", "2m", "1m30s", "15m", "45", "1s")) {
            StackFileParser.Outcome outcome = parse(ok);
            assertTrue(outcome.stack().isPresent(), ok + ": " + outcome.problems());
            assertEquals(ok, outcome.stack().get().functions().get(0).environment().get("exec_timeout"));
        }
        assertEquals(Optional.of(Duration.ofSeconds(90)), ExecTimeout.parse("1m30s"));
        assertEquals(Optional.of(Duration.ofMinutes(15)), ExecTimeout.parse("15m"));
        assertTrue(ExecTimeout.parse("16m").isEmpty());
    }

    @Test
    void anEnvironmentFileIsCheckedToo() throws IOException {
        Files.writeString(repo.resolve("env.yml"), "environment:\n  exec_timeout: 1h\n");
        StackFileParser.Outcome outcome = parser.parse(repo.toRealPath(), "stack.yml", """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                    environment_file:
                      - env.yml
                """, Map.of());
        assertTrue(outcome.stack().isEmpty());
        assertEquals(List.of("stack.yml:9:9: exec_timeout '1h' (from env.yml) is above the 15 minute maximum"),
                outcome.problems().stream().map(StackProblem::toString).toList());
    }
}
