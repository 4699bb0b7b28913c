package dev.driftless.templates;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads minitest's summary ("3 runs, 3 assertions, 1 failures, 0 errors, 0 skips") into a {@link TestReport}. */
final class MinitestSummary {
    private static final Pattern SUMMARY = Pattern.compile("^(\\d+) runs, \\d+ assertions, (\\d+) failures, (\\d+) errors, (\\d+) skips");

    private MinitestSummary() {
    }

    /** Sums every summary line (one per test process); empty when minitest printed none. */
    static Optional<TestReport> parse(List<String> output) {
        TestReport total = null;
        for (String line : output) {
            Matcher m = SUMMARY.matcher(line.strip());
            if (m.find()) {
                int run = Integer.parseInt(m.group(1));
                int failed = Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3));
                int skipped = Integer.parseInt(m.group(4));
                total = total == null ? new TestReport(run, failed, skipped)
                        : new TestReport(total.run() + run, total.failed() + failed, total.skipped() + skipped);
            }
        }
        return Optional.ofNullable(total);
    }
}
