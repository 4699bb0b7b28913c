package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.BuildException;
import dev.driftless.builder.BuildResult;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.builder.FunctionSpec;
import dev.driftless.builder.ImageRef;
import dev.driftless.builder.RepoSource;
import dev.driftless.builder.StackInvalidException;
import dev.driftless.builder.StackProblem;
import org.eclipse.jgit.api.Git;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reconcile loop's decisions, on a real H2 store with the real migrations and a real git
 * repository; the builder is scripted per commit and the runtime records its writes.
 */
class ReconcilerTest {
    @TempDir
    Path temp;

    private JdbcDataSource dataSource;
    private Transactions store;
    private Git git;
    private final RecordingRuntime runtime = new RecordingRuntime();
    private final Map<String, Object> scripted = new HashMap<>();
    private final List<StatusReport> reported = new ArrayList<>();
    private CommitBuilder builder;
    private Reconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:reconcile-" + System.nanoTime()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        store = new Transactions() {
            @Override
            public <T> T inTransaction(Work<T> work) throws SQLException {
                try (Connection tx = dataSource.getConnection()) {
                    tx.setAutoCommit(false);
                    try {
                        T result = work.run(tx);
                        tx.commit();
                        return result;
                    } catch (SQLException | RuntimeException e) {
                        tx.rollback();
                        throw e;
                    }
                }
            }
        };
        git = Git.init().setDirectory(temp.resolve("repo").toFile()).setInitialBranch("main").call();
        builder = request -> {
            Object script = scripted.get(request.commit());
            if (script instanceof BuildException e) {
                throw e;
            }
            @SuppressWarnings("unchecked")
            List<FunctionBuild> functions = (List<FunctionBuild>) script;
            for (FunctionBuild f : functions) {
                request.listener().log(f.name(), "building " + f.name());
            }
            return new BuildResult(request.commit(), functions);
        };
        reconciler = new Reconciler(store, builder, runtime, (tx, report) -> reported.add(report),
                new RepositoryHeads(), new Urls("localhost", 8443), Clock.systemUTC());
    }

    @Test
    void firstPushDeploysEveryFunctionAndReportsPendingThenSuccess() throws Exception {
        String commit = push(built("hello", "v1"), built("kubecon", "k1"));

        ReconcileOutcome outcome = reconciler.reconcile(request());

        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, outcome.kind(), outcome.message());
        assertEquals(commit, outcome.commit());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        assertEquals(image("k1"), runtime.imageOf("alice", "kubecon"));
        assertEquals(List.of(
                "driftless/stack pending", "driftless/hello pending", "driftless/kubecon pending",
                "driftless/hello success", "driftless/kubecon success", "driftless/stack success"), statusLines());
        assertTrue(reported.stream().filter(r -> r.context().equals("driftless/hello")
                && r.state() == StatusReport.State.SUCCESS).findFirst().orElseThrow()
                .targetUrl().equals("https://alice.localhost:8443/hello"));
        FunctionCondition hello = condition("hello");
        assertEquals(FunctionCondition.Ready.True, hello.ready());
        assertEquals(Reason.Deployed, hello.reason());
        assertEquals(Optional.of(1), hello.currentRelease());
    }

    @Test
    void aSecondPassWritesNothingToTheRuntime() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        int writes = runtime.writes.size();
        int statuses = reported.size();

        ReconcileOutcome again = reconciler.reconcile(request());

        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, again.kind());
        assertEquals(writes, runtime.writes.size(), "no runtime writes on the second pass: " + runtime.writes);
        assertEquals(statuses, reported.size(), "no new statuses when nothing changed");
    }

    @Test
    void aFunctionRemovedFromTheStackIsPrunedAndOnlyThatOne() throws Exception {
        push(built("hello", "v1"), built("bye", "b1"));
        reconciler.reconcile(request());
        push(built("hello", "v1"));

        reconciler.reconcile(request());

        assertNull(runtime.imageOf("alice", "bye"));
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        assertTrue(store.inTransaction(tx -> new FunctionConditions().get(tx, "alice", "bye")).isEmpty());
        assertTrue(runtime.writes.contains("remove alice/bye"));
    }

    @Test
    void anInvalidStackChangesNothingAndTheStatusNamesTheLine() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        int writes = runtime.writes.size();
        String bad = pushThrowing(new StackInvalidException(List.of(new StackProblem("stack.yml", 12, 5,
                StackProblem.Severity.ERROR, "unknown lang 'cobol' (supported: java17, python3, node20)"))));

        ReconcileOutcome outcome = reconciler.reconcile(request());

        assertEquals(ReconcileOutcome.Kind.FAILED, outcome.kind());
        assertEquals(writes, runtime.writes.size(), "running functions untouched");
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        StatusReport last = reported.get(reported.size() - 1);
        assertEquals(bad, last.commit());
        assertEquals(StatusReport.State.FAILURE, last.state());
        assertTrue(last.description().startsWith("stack.yml:12:5: unknown lang 'cobol'"), last.description());
    }

    @Test
    void anImagePushTheRegistryBrokeOffIsRetriedAndKeepsThePreviousReleaseServing() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        push(new FunctionBuild("hello", FunctionBuild.Outcome.FAILED, Optional.empty(),
                "push to 127.0.0.1:5000 failed: 500 Internal Server Error", spec("hello"), "key-v2", true));

        ReconcileOutcome outcome = reconciler.reconcile(request());

        assertEquals(ReconcileOutcome.Kind.RETRY, outcome.kind(), "the registry's fault, not the commit's: retried");
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
    }

    @Test
    void failingTestsKeepThePreviousReleaseServing() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        push(new FunctionBuild("hello", FunctionBuild.Outcome.FAILED, Optional.empty(), "unit tests failed: 1 of 2",
                spec("hello"), "key-broken"));

        ReconcileOutcome outcome = reconciler.reconcile(request());

        assertEquals(ReconcileOutcome.Kind.FAILED, outcome.kind());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        FunctionCondition hello = condition("hello");
        assertEquals(FunctionCondition.Ready.False, hello.ready());
        assertEquals(Reason.TestsFailed, hello.reason());
        assertTrue(hello.stalled());
        assertTrue(hello.message().contains("release 1 keeps serving"), hello.message());
        assertTrue(statusLines().contains("driftless/hello failure"));
    }

    @Test
    void aRolloutThatNeverGetsReadyLeavesTheOldReleaseAndFailsTheCommit() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        runtime.brokenImages.add(image("v2"));
        push(built("hello", "v2"));

        ReconcileOutcome outcome = reconciler.reconcile(request());

        assertEquals(ReconcileOutcome.Kind.FAILED, outcome.kind());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        assertEquals(Reason.RolloutFailed, condition("hello").reason());
        List<Release> history = store.inTransaction(tx -> new ReleaseHistory().history(tx, "alice", "hello", 10));
        assertEquals(Release.Result.FAILED, history.get(0).result());
        assertTrue(history.get(0).reason().contains("never answered /_/health"), history.get(0).reason());
        assertEquals(1, store.inTransaction(tx -> new ReleaseHistory().current(tx, "alice", "hello")).orElseThrow().number());
        StatusReport failed = reported.stream().filter(r -> r.context().equals("driftless/hello"))
                .reduce((first, second) -> second).orElseThrow();
        assertEquals(StatusReport.State.FAILURE, failed.state());
        assertEquals("rollout failed: HealthCheckTimeout: Traceback: boom", failed.description(),
                "the commit status ends with the function's own last line");
    }

    @Test
    void eachChangeRecordsItsEventForNotifications() throws Exception {
        List<String> events = new ArrayList<>();
        reconciler = new Reconciler(store, builder, runtime, (tx, report) -> reported.add(report), new RepositoryHeads(),
                new Urls("localhost", 8443), Clock.systemUTC(), (tx, event) -> events.add(event.type().wireName() + " "
                        + event.function().orElse("-") + " " + event.build().map(String::valueOf).orElse("-")));
        push(built("hello", "v1"), built("bye", "b1"));
        reconciler.reconcile(request());
        push(built("hello", "v2"));
        reconciler.reconcile(request());
        runtime.brokenImages.add(image("v3"));
        push(built("hello", "v3"));
        reconciler.reconcile(request());
        reconciler.rollback("alice", "hello", 1);
        assertEquals(List.of("build.started - 1", "build.succeeded - 1",
                "build.started - 2", "prune bye -", "build.succeeded - 2",
                "build.started - 3", "rollout.failed hello 3", "build.failed - 3",
                "rollback hello -"), events);
    }

    @Test
    void rollbackRedeploysTheOlderDigestAsANewReleaseWithoutBuilding() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        push(built("hello", "v2"));
        reconciler.reconcile(request());
        assertEquals(image("v2"), runtime.imageOf("alice", "hello"));

        Reconciler.RollbackResult result = reconciler.rollback("alice", "hello", 1);

        assertEquals(3, result.release().number());
        assertEquals(Optional.of(1), result.release().rollbackOf());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        assertEquals(Reason.RolledBack, condition("hello").reason());
        // A resync of the same head keeps the rollback: only a new push replaces it.
        reconciler.reconcile(request());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
    }

    @Test
    void driftMadeByHandIsPutBackOnTheNextPass() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        runtime.running.remove("alice/hello"); // someone deleted it by hand

        reconciler.reconcile(request());

        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        List<FunctionConditions.FunctionEvent> events = store.inTransaction(tx ->
                new FunctionConditions().events(tx, "alice", "hello", 10));
        assertEquals(Reason.DriftReverted, events.get(0).reason());
    }

    @Test
    void aFunctionNameUsedByAnotherRepositoryOfTheOwnerIsRefused() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        Git other = Git.init().setDirectory(temp.resolve("other").toFile()).setInitialBranch("main").call();
        Files.writeString(temp.resolve("other/stack.yml"), "functions: {}");
        other.add().addFilepattern(".").call();
        String commit = other.commit().setMessage("other").setSign(false).call().getName();
        scripted.put(commit, List.of(built("hello", "intruder")));

        ReconcileOutcome outcome = reconciler.reconcile(new ReconcileRequest("alice", "other", "main",
                RepoSource.of(temp.resolve("other").toUri().toString()), Optional.empty(), "webhook",
                Optional.empty(), Map.of()));

        assertEquals(ReconcileOutcome.Kind.FAILED, outcome.kind());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        assertTrue(reported.get(reported.size() - 2).description().contains("already used by repository 'fns'"));
    }

    @Test
    void aRepositoryLeavingTheInstallationTakesOnlyItsOwnFunctionsWithIt() throws Exception {
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        deployFromOtherRepository(built("bye", "b1"));
        assertEquals(image("b1"), runtime.imageOf("alice", "bye"));

        int removed = reconciler.removeRepository("alice", "other");

        assertEquals(1, removed);
        assertNull(runtime.imageOf("alice", "bye"));
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"), "the other repository's function stays");
        assertTrue(store.inTransaction(tx -> new FunctionConditions().get(tx, "alice", "bye")).isEmpty());
        assertEquals(Reason.Pruned, store.inTransaction(tx -> new FunctionConditions().events(tx, "alice", "bye", 1))
                .get(0).reason());
    }

    @Test
    void aRestartBringsBackOnlyFunctionsThatAreStillManaged() throws Exception {
        push(built("hello", "v1"), built("bye", "b1"));
        reconciler.reconcile(request());
        push(built("hello", "v1"));
        reconciler.reconcile(request());
        deployFromOtherRepository(built("gone", "g1"));
        reconciler.removeRepository("alice", "other");
        // A restarted local runtime runs nothing until restore starts what was serving.
        runtime.running.clear();

        int started = reconciler.restore();

        assertEquals(1, started, runtime.running.keySet().toString());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"));
        assertNull(runtime.imageOf("alice", "bye"), "pruned from the stack: stays gone after a restart");
        assertNull(runtime.imageOf("alice", "gone"), "its repository left: stays gone after a restart");
    }

    /** Reconciles a second repository of alice, "other", whose stack builds {@code function}. */
    private void deployFromOtherRepository(FunctionBuild function) throws Exception {
        Git other = Git.init().setDirectory(temp.resolve("other").toFile()).setInitialBranch("main").call();
        Files.writeString(temp.resolve("other/stack.yml"), "functions: {}");
        other.add().addFilepattern(".").call();
        String commit = other.commit().setMessage("other").setSign(false).call().getName();
        scripted.put(commit, List.of(function));
        reconciler.reconcile(new ReconcileRequest("alice", "other", "main",
                RepoSource.of(temp.resolve("other").toUri().toString()), Optional.empty(), "webhook",
                Optional.empty(), Map.of()));
    }

    @Test
    void previewsDeployBesideProductionRespectTheLimitAndGoWithTheirRepository() throws Exception {
        String production = push(built("hello", "v1"));
        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, reconciler.reconcile(request()).kind());
        String prHead = push(built("hello", "v2"), built("x".repeat(60), "long"));
        Previews previews = new Previews(store, request -> new BuildResult(request.commit(),
                (List<FunctionBuild>) scripted.get(request.commit())), runtime, (tx, report) -> reported.add(report),
                new Urls("localhost", 8443), reconciler, 1, Clock.systemUTC());
        ReconcileRequest pr = new ReconcileRequest("alice", "fns", "pull/7", RepoSource.of("unused"), Optional.of(prHead),
                "pull-request", Optional.empty(), Map.of());

        ReconcileOutcome outcome = previews.deploy(pr, 7, true);

        assertEquals(ReconcileOutcome.Kind.FAILED, outcome.kind(), "the too-long name fails, the other deploys");
        assertEquals(image("v2"), runtime.imageOf("alice", "hello--pr-7"));
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"), "production untouched");
        assertEquals(production, store.inTransaction(tx -> new ReleaseHistory().current(tx, "alice", "hello"))
                .orElseThrow().commit(), "no production release added");
        StatusReport tooLong = reported.stream().filter(r -> r.context().equals("driftless/" + "x".repeat(60) + "--pr-7"))
                .findFirst().orElseThrow();
        assertTrue(tooLong.description().contains("more than the 63 a DNS label allows"), tooLong.description());
        assertTrue(reported.stream().anyMatch(r -> r.context().equals("driftless/hello--pr-7")
                && r.targetUrl().equals("https://alice.localhost:8443/hello--pr-7")));

        ReconcileOutcome refused = previews.deploy(new ReconcileRequest("alice", "fns", "pull/8", RepoSource.of("unused"),
                Optional.of(prHead), "pull-request", Optional.empty(), Map.of()), 8, true);
        assertEquals(ReconcileOutcome.Kind.FAILED, refused.kind());
        assertTrue(refused.message().contains("limit (DRIFTLESS_PREVIEWS_PER_OWNER) is 1"), refused.message());
        assertTrue(runtime.list("alice", "fns--pr-8").isEmpty());

        assertEquals(1, previews.closeRepository("alice", "fns"));
        assertTrue(runtime.list("alice", "fns--pr-7").isEmpty());
        assertTrue(previews.serving().isEmpty());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"), "closing previews leaves production alone");
    }

    private ReconcileRequest request() {
        return new ReconcileRequest("alice", "fns", "main", RepoSource.of(temp.resolve("repo").toUri().toString()),
                Optional.empty(), "webhook", Optional.empty(), Map.of());
    }

    @Test
    void aBranchPreviewIsReplacedByTheBranchsNewerHeadCountsTowardsTheLimitAndGoesWithTheBranch() throws Exception {
        push(built("hello", "v1"));
        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, reconciler.reconcile(request()).kind());
        Previews previews = new Previews(store, builder, runtime, (tx, report) -> reported.add(report),
                new Urls("localhost", 8443), reconciler, 1, Clock.systemUTC());
        PreviewSource feature = PreviewSource.branch("feature/x");

        String first = push(built("hello", "b1"));
        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, previews.deploy(branch("feature/x", first), feature, true).kind());
        String second = push(built("hello", "b2"));
        assertEquals(ReconcileOutcome.Kind.SUCCEEDED, previews.deploy(branch("feature/x", second), feature, true).kind());

        String name = "hello--" + feature.suffix();
        assertEquals(image("b2"), runtime.imageOf("alice", name), "the newer head replaced the older one");
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"), "production untouched");
        assertEquals(List.of("fns--" + feature.suffix() + " " + name + " " + second),
                previews.serving().stream().map(d -> d.repository() + " " + d.function() + " " + d.commit()).toList());
        assertEquals(Optional.of("feature/x"), previews.ofOwner("alice").get(0).branch());
        assertTrue(reported.stream().anyMatch(r -> r.context().equals("driftless/" + name) && r.branch().equals("feature/x")
                && r.targetUrl().equals("https://alice.localhost:8443/" + name)));

        ReconcileOutcome pr = previews.deploy(new ReconcileRequest("alice", "fns", "pull/7", RepoSource.of("unused"),
                Optional.of(second), "pull-request", Optional.empty(), Map.of()), 7, true);
        assertTrue(pr.message().contains("limit (DRIFTLESS_PREVIEWS_PER_OWNER) is 1"), "branches and PRs count together: "
                + pr.message());

        assertEquals(1, previews.close("alice", "fns", feature));
        assertTrue(runtime.list("alice", "fns--" + feature.suffix()).isEmpty());
        assertTrue(previews.serving().isEmpty());
        assertEquals(image("v1"), runtime.imageOf("alice", "hello"), "deleting the branch leaves production alone");
    }

    private static ReconcileRequest branch(String branch, String head) {
        return new ReconcileRequest("alice", "fns", branch, RepoSource.of("unused"), Optional.of(head), "branch-preview",
                Optional.empty(), Map.of());
    }

    private String push(FunctionBuild... functions) throws Exception {
        String commit = commit();
        scripted.put(commit, List.of(functions));
        return commit;
    }

    private String pushThrowing(BuildException failure) throws Exception {
        String commit = commit();
        scripted.put(commit, failure);
        return commit;
    }

    private String commit() throws Exception {
        Files.writeString(temp.resolve("repo/stack.yml"), "# " + System.nanoTime());
        git.add().addFilepattern(".").call();
        return git.commit().setMessage("change").setSign(false).call().getName();
    }

    private FunctionCondition condition(String function) throws SQLException {
        return store.inTransaction(tx -> new FunctionConditions().get(tx, "alice", function)).orElseThrow();
    }

    private List<String> statusLines() {
        return reported.stream().map(r -> r.context() + " " + r.state().name().toLowerCase()).toList();
    }

    private static FunctionBuild built(String name, String content) {
        return new FunctionBuild(name, FunctionBuild.Outcome.BUILT,
                Optional.of(ImageRef.parse(image(content))), "", spec(name), "key-" + content);
    }

    private static FunctionSpec spec(String name) {
        return new FunctionSpec(name, "python3", Map.of("GREETING", "hi"), List.of(), Map.of(), Map.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true);
    }

    static String image(String content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return "127.0.0.1:5000/alice/fns/fn@sha256:" + HexFormat.of().formatHex(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
