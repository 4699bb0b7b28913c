package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The three runners' summaries, as they print them (copied from real runs). */
class TestSummariesTest {

    @Test
    void junitConsoleLauncher() {
        List<String> out = List.of(
                "Test run finished after 64 ms",
                "[         3 containers found      ]", "[         0 containers skipped    ]", "[         3 containers started    ]",
                "[         0 containers aborted    ]", "[         2 containers successful ]", "[         1 containers failed     ]",
                "[         4 tests found           ]", "[         1 tests skipped         ]", "[         3 tests started         ]",
                "[         1 tests aborted         ]", "[         1 tests successful      ]", "[         1 tests failed          ]");
        assertEquals(Optional.of(new TestReport(3, 2, 2)), JUnitSummary.parse(out));
        assertEquals(Optional.empty(), JUnitSummary.parse(List.of("Exception in thread \"main\"")));
    }

    @Test
    void pythonUnittest() {
        assertEquals(Optional.of(new TestReport(4, 2, 1)), UnittestSummary.parse(List.of(
                "----------------------------------------------------------------------", "Ran 4 tests in 0.002s", "",
                "FAILED (failures=1, errors=1, skipped=1)")));
        assertEquals(Optional.of(new TestReport(1, 0, 0)), UnittestSummary.parse(List.of("Ran 1 test in 0.000s", "", "OK")));
        assertEquals(Optional.of(new TestReport(2, 0, 2)), UnittestSummary.parse(List.of("Ran 2 tests in 0.000s", "", "OK (skipped=2)")));
        assertEquals(Optional.empty(), UnittestSummary.parse(List.of("Traceback (most recent call last):")));
    }

    @Test
    void nodeTestRunnerTapAndSpec() {
        assertEquals(Optional.of(new TestReport(3, 1, 1)), NodeTestSummary.parse(List.of(
                "1..3", "# tests 3", "# suites 0", "# pass 1", "# fail 1", "# cancelled 0", "# skipped 1", "# todo 0", "# duration_ms 50.1")));
        assertEquals(Optional.of(new TestReport(2, 0, 0)), NodeTestSummary.parse(List.of(
                "ℹ tests 2", "ℹ suites 0", "ℹ pass 2", "ℹ fail 0", "ℹ cancelled 0", "ℹ skipped 0", "ℹ todo 0")));
        assertEquals(Optional.empty(), NodeTestSummary.parse(List.of("  2 passing (5ms)")));
    }
}
