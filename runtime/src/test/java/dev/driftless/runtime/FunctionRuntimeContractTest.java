package dev.driftless.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link FunctionRuntime} must have, run against each runtime by a subclass
 * ({@code LocalRuntimeTest} with real processes, the Kubernetes runtime's test on the mock API server).
 *
 * <p>A subclass provides four things, all documented on the hooks below:
 * <ol>
 *   <li>{@link #runtime()}: a fresh runtime per test (create it in a {@code @BeforeEach}, close it after);</li>
 *   <li>{@link #images()}: three images by digest: v1 answers {@code one}, v2 answers {@code two},
 *       broken never becomes ready;</li>
 *   <li>{@link #servedVersion}: which of them answers a request for the function right now;</li>
 *   <li>optionally {@link #writes()}: a counter of writes the runtime made (processes started, API writes),
 *       so that "unchanged" is checked as "nothing was written", not only as a returned value.</li>
 * </ol>
 */
public abstract class FunctionRuntimeContractTest {

    /** The three images of the fixture, each {@code repository@sha256:…}. */
    public record ContractImages(String v1, String v2, String broken) { }

    /** The runtime under test; the same instance during one test. */
    protected abstract FunctionRuntime runtime();

    /** v1 answers {@code one}, v2 answers {@code two}, broken never passes its readiness/health check. */
    protected abstract ContractImages images();

    /**
     * What a request to {@code owner}'s {@code function} gets now: {@code one}, {@code two}, or empty when
     * nothing serves it. The local runtime calls the routed backend; the Kubernetes test reads what its
     * simulated controller serves.
     */
    protected abstract Optional<String> servedVersion(String owner, String function) throws Exception;

    /** How many writes the runtime has made so far, if the subclass can count them; empty otherwise. */
    protected OptionalLong writes() {
        return OptionalLong.empty();
    }

    /** A deployment as the reconciler builds it; subclasses may override to add what their runtime needs. */
    protected FunctionDeployment deployment(String owner, String repository, String function, String image,
                                            String commit, int release) {
        return new FunctionDeployment(owner, repository, function, image, commit, release,
                Map.of("GREETING", "hello"), List.of(), Map.of(), Map.of(),
                FunctionDeployment.Resources.none(), true);
    }

    @Test
    void deployOfANewFunctionServesIt() throws Exception {
        RolloutResult result = runtime().deploy(deployment("alice", "fns", "hello", images().v1(), "c1", 1));

        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals(Optional.of("one"), servedVersion("alice", "hello"));
        List<DeployedFunction> listed = runtime().list("alice", "fns");
        assertEquals(1, listed.size(), listed::toString);
        DeployedFunction hello = listed.get(0);
        assertEquals("alice", hello.owner());
        assertEquals("fns", hello.repository());
        assertEquals("hello", hello.function());
        assertEquals(images().v1(), hello.image());
        assertEquals("c1", hello.commit());
        assertEquals(1, hello.release());
        assertTrue(hello.ready() >= 1 && hello.ready() <= hello.desired(), hello::toString);
    }

    @Test
    void deployingTheSameAgainChangesNothing() throws Exception {
        runtime().deploy(deployment("alice", "fns", "hello", images().v1(), "c1", 1));
        OptionalLong before = writes();

        RolloutResult again = runtime().deploy(deployment("alice", "fns", "hello", images().v1(), "c1", 1));

        assertEquals(RolloutResult.Outcome.UNCHANGED, again.outcome(), again::toString);
        assertEquals(before, writes(), "a deploy that changes nothing must not write");
        assertEquals(Optional.of("one"), servedVersion("alice", "hello"));
    }

    @Test
    void deployOfANewImageRollsOutAndServesIt() throws Exception {
        runtime().deploy(deployment("alice", "fns", "hello", images().v1(), "c1", 1));

        RolloutResult result = runtime().deploy(deployment("alice", "fns", "hello", images().v2(), "c2", 2));

        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals(Optional.of("two"), servedVersion("alice", "hello"));
        DeployedFunction hello = single(runtime().list("alice", "fns"));
        assertEquals(images().v2(), hello.image());
        assertEquals("c2", hello.commit());
        assertEquals(2, hello.release());
    }

    @Test
    void aVersionThatNeverGetsReadyFailsAndTheOldOneKeepsServing() throws Exception {
        runtime().deploy(deployment("alice", "fns", "hello", images().v1(), "c1", 1));
        runtime().deploy(deployment("alice", "fns", "hello", images().v2(), "c2", 2));

        RolloutResult result = runtime().deploy(deployment("alice", "fns", "hello", images().broken(), "c3", 3));

        assertEquals(RolloutResult.Outcome.FAILED, result.outcome(), result::toString);
        assertTrue(result.failed());
        assertFalse(result.reason() == null || result.reason().isBlank(), "a failure names its reason");
        assertFalse(result.message() == null || result.message().isBlank(), "a failure says what happened");
        assertEquals(Optional.of("two"), servedVersion("alice", "hello"));
        DeployedFunction hello = single(runtime().list("alice", "fns"));
        assertEquals(images().v2(), hello.image(), "the runtime still records the version that serves");
        assertEquals(2, hello.release());
    }

    @Test
    void removeStopsTheFunctionAndIsIdempotent() throws Exception {
        runtime().deploy(deployment("alice", "fns", "hello", images().v1(), "c1", 1));
        runtime().deploy(deployment("alice", "fns", "other", images().v2(), "c1", 1));

        runtime().remove("alice", "fns", "hello");

        assertEquals(List.of("other"), names(runtime().list("alice", "fns")));
        assertEquals(Optional.empty(), servedVersion("alice", "hello"));
        assertEquals(Optional.of("two"), servedVersion("alice", "other"));
        runtime().remove("alice", "fns", "hello");
        assertEquals(List.of("other"), names(runtime().list("alice", "fns")));
    }

    @Test
    void repositoriesAndOwnersAreIsolated() throws Exception {
        runtime().deploy(deployment("alice", "fns", "a", images().v1(), "c1", 1));
        runtime().deploy(deployment("alice", "tools", "b", images().v2(), "c9", 1));
        runtime().deploy(deployment("bob", "fns", "a", images().v2(), "c5", 1));

        assertEquals(List.of("a"), names(runtime().list("alice", "fns")));
        assertEquals(List.of("b"), names(runtime().list("alice", "tools")));
        assertEquals(List.of("a", "b"), names(runtime().listOwner("alice")));
        assertEquals(List.of("a"), names(runtime().list("bob", "fns")));
        assertEquals(images().v2(), single(runtime().listOwner("bob")).image());
        assertEquals(List.of(), runtime().list("bob", "tools"));
        assertEquals(List.of(), runtime().listOwner("carol"));

        // Selection is by the repository recorded at deploy: another repository's name does not match.
        runtime().remove("alice", "tools", "a");
        runtime().remove("carol", "fns", "a");
        assertEquals(List.of("a"), names(runtime().list("alice", "fns")));
        assertEquals(List.of("a"), names(runtime().list("bob", "fns")));
        assertEquals(Optional.of("one"), servedVersion("alice", "a"));
        assertEquals(Optional.of("two"), servedVersion("bob", "a"));

        runtime().remove("bob", "fns", "a");
        assertEquals(List.of(), runtime().listOwner("bob"));
        assertEquals(Optional.of("one"), servedVersion("alice", "a"));
    }

    private static DeployedFunction single(List<DeployedFunction> functions) {
        assertEquals(1, functions.size(), functions::toString);
        return functions.get(0);
    }

    private static List<String> names(List<DeployedFunction> functions) {
        return functions.stream().map(DeployedFunction::function).sorted(Comparator.naturalOrder()).toList();
    }
}
