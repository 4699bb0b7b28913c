package dev.driftless.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One row of the table in {@code docs/reliability.md}: what a test tried and what went wrong. Appended as a
 * tab-separated line to {@code reliability/target/reliability/figures.tsv} ({@code reliability/figures.sh}
 * turns the file into the table), and checked: a lost, duplicated or crashed cell above 0 fails the test.
 *
 * @param test         the test and its store, e.g. {@code kill -9 (H2)}
 * @param trials       trials or requests made
 * @param faults       faults injected (kills, hostile pushes …)
 * @param acknowledged deliveries and pushes the daemon answered 2xx / git reported as pushed
 * @param lost         acknowledged things that never took effect (not stored, not deployed, status never sent)
 * @param duplicated   things done twice (a status posted twice, a job run twice for one delivery)
 * @param serverErrors 5xx answers seen
 * @param crashes      daemon deaths not caused by the test, failed restarts, orphan processes, order violations
 * @param notes        what else a reader should know about this run
 */
public record Figures(String test, int trials, int faults, int acknowledged, int lost, int duplicated, int serverErrors,
               int crashes, String notes) {

    /** A fuzz target's row: inputs tried, and findings (each fails the fuzz test itself too). */
    public static Figures fuzzing(String target, long executions, long findings) {
        return new Figures("fuzz: " + target, (int) Math.min(Integer.MAX_VALUE, executions), (int) Math.min(Integer.MAX_VALUE, executions),
                0, 0, 0, 0, (int) findings, "Jazzer, inputs tried (each one a fault); a finding is a crash");
    }

    /** Appends the row and fails the test when a promise was broken. */
    public void recordAndCheck() throws IOException {
        Path dir = Path.of(System.getProperty("reliability.results", "target/reliability"));
        Files.createDirectories(dir);
        String line = String.join("\t", test, String.valueOf(trials), String.valueOf(faults), String.valueOf(acknowledged),
                String.valueOf(lost), String.valueOf(duplicated), String.valueOf(serverErrors), String.valueOf(crashes),
                notes.replace('\t', ' ').replace('\n', ' '), Instant.now().toString()) + "\n";
        Files.writeString(dir.resolve("figures.tsv"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.out.println("figures: " + line.strip());
        if (lost != 0 || duplicated != 0 || crashes != 0) {
            fail("reliability promise broken in '" + test + "': lost=" + lost + " duplicated=" + duplicated
                    + " crashes=" + crashes + " (" + notes + ")");
        }
    }
}
