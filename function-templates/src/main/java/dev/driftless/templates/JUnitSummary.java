package dev.driftless.templates;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the JUnit console launcher's summary box ("[ 2 tests successful ]") into a {@link TestReport}. */
final class JUnitSummary {
    private JUnitSummary() {
    }

    private static final Pattern LINE = Pattern.compile("\\[\\s*(\\d+) (tests|containers) (found|skipped|started|aborted|successful|failed)\\s*]");

    /** Empty when the launcher printed no summary (it crashed, or a test called System.exit). */
    static Optional<TestReport> parse(List<String> output) {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : output) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                counts.put(m.group(2) + " " + m.group(3), Integer.parseInt(m.group(1)));
            }
        }
        if (!counts.containsKey("tests started") || !counts.containsKey("tests failed")) {
            return Optional.empty();
        }
        // A class that fails in @BeforeAll or its constructor fails a container, not a test: still a failure.
        int failed = counts.get("tests failed") + counts.getOrDefault("containers failed", 0);
        int skipped = counts.getOrDefault("tests skipped", 0) + counts.getOrDefault("tests aborted", 0);
        return Optional.of(new TestReport(counts.get("tests started"), failed, skipped));
    }
}
