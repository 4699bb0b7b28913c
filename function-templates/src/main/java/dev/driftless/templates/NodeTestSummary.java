package dev.driftless.templates;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the summary of Node's built-in test runner ({@code node --test}), TAP ("# tests 2") or spec
 * ("ℹ tests 2") reporter, into a {@link TestReport}. Other runners' output is not understood.
 */
final class NodeTestSummary {
    private NodeTestSummary() {
    }

    private static final Pattern LINE = Pattern.compile("^(?:#|ℹ)\\s+(tests|pass|fail|cancelled|skipped|todo)\\s+(\\d+)\\s*$");

    static Optional<TestReport> parse(List<String> output) {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : output) {
            Matcher m = LINE.matcher(line.strip());
            if (m.matches()) {
                counts.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        if (!counts.containsKey("tests") || !counts.containsKey("fail")) {
            return Optional.empty();
        }
        return Optional.of(new TestReport(counts.get("tests"),
                counts.get("fail") + counts.getOrDefault("cancelled", 0),
                counts.getOrDefault("skipped", 0) + counts.getOrDefault("todo", 0)));
    }
}
