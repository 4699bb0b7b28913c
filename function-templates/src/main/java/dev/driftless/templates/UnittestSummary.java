package dev.driftless.templates;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Python unittest's summary ("Ran 2 tests in 0.01s" then "FAILED (failures=1, skipped=1)" or "OK") into a {@link TestReport}. */
final class UnittestSummary {
    private UnittestSummary() {
    }

    private static final Pattern RAN = Pattern.compile("^Ran (\\d+) tests? in ");
    private static final Pattern OUTCOME = Pattern.compile("^(OK|FAILED)(?: \\((.*)\\))?\\s*$");
    private static final Pattern COUNT = Pattern.compile("(failures|errors|skipped|expected failures|unexpected successes)=(\\d+)");

    /** Empty when unittest printed no summary (the interpreter crashed before the run ended). */
    static Optional<TestReport> parse(List<String> output) {
        Integer ran = null;
        for (int i = 0; i < output.size(); i++) {
            Matcher r = RAN.matcher(output.get(i));
            if (!r.find()) {
                continue;
            }
            ran = Integer.parseInt(r.group(1));
            for (int j = i + 1; j < output.size(); j++) {
                Matcher o = OUTCOME.matcher(output.get(j));
                if (o.matches()) {
                    int failed = 0;
                    int skipped = 0;
                    if (o.group(2) != null) {
                        Matcher c = COUNT.matcher(o.group(2));
                        while (c.find()) {
                            int n = Integer.parseInt(c.group(2));
                            switch (c.group(1)) {
                                case "failures", "errors", "unexpected successes" -> failed += n;
                                case "skipped" -> skipped += n;
                                default -> { }
                            }
                        }
                    }
                    if ("FAILED".equals(o.group(1)) && failed == 0) {
                        failed = 1;
                    }
                    return Optional.of(new TestReport(ran, failed, skipped));
                }
            }
        }
        return Optional.empty();
    }
}
