package dev.driftless.reliability;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.driftless.builder.StackFileFuzzTarget;
import dev.driftless.gateway.RequestResolverFuzzTarget;
import dev.driftless.webhook.GitRequestFuzzTarget;
import dev.driftless.webhook.WebhookFuzzTarget;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * Jazzer (coverage-guided) over the four parsers that meet untrusted input first: webhook verification and
 * event parsing, the git smart-HTTP request line, {@code stack.yml}, and the gateway's Host + path resolution.
 * Jazzer fuzzes one {@code @FuzzTest} per JVM and its start costs about a minute here, so the first input
 * byte picks the target and one run covers all four. Budget: {@code maxDuration} in the normal build
 * ({@code JAZZER_FUZZ=1} comes from the pom); {@code reliability/run-long.sh} repeats the run, and the corpus
 * in {@code reliability/.cifuzz-corpus} carries over. A finding fails the test and Jazzer writes the input
 * under {@code src/test/resources/dev/driftless/reliability/DriftlessFuzzTestInputs/fuzz}, which is then
 * replayed as a regression test on every build.
 */
class DriftlessFuzzTest {
    private record Target(String name, Consumer<FuzzedDataProvider> check) { }

    private static final List<Target> TARGETS = List.of(
            new Target("webhook verification and event parsing", WebhookFuzzTarget::check),
            new Target("git smart-HTTP request parsing", GitRequestFuzzTarget::check),
            new Target("stack.yml parser", StackFileFuzzTarget::check),
            new Target("gateway request resolution", RequestResolverFuzzTarget::check));
    private static final AtomicLongArray EXECUTIONS = new AtomicLongArray(TARGETS.size());
    private static final AtomicLongArray FINDINGS = new AtomicLongArray(TARGETS.size());

    @FuzzTest(maxDuration = "20s")
    void fuzz(FuzzedDataProvider data) {
        int target = Math.floorMod(data.consumeByte(), TARGETS.size());
        EXECUTIONS.incrementAndGet(target);
        try {
            TARGETS.get(target).check().accept(data);
        } catch (RuntimeException | Error finding) {
            FINDINGS.incrementAndGet(target);
            throw finding;
        }
    }

    @AfterAll
    static void figures() throws IOException {
        for (int i = 0; i < TARGETS.size(); i++) {
            Figures.fuzzing(TARGETS.get(i).name(), EXECUTIONS.get(i), FINDINGS.get(i)).recordAndCheck();
        }
    }
}
