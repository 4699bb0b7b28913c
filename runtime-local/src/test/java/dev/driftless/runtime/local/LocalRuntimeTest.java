package dev.driftless.runtime.local;

import dev.driftless.testsupport.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.FunctionRuntimeContractTest;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.testsupport.RealComponent;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runtime with real processes under real bubblewrap, on real OCI images built by Jib: the shared
 * runtime contract, plus what only the local runtime does (rolling update under load, crash healing, the
 * sandbox's walls, shutdown).
 */
class LocalRuntimeTest extends FunctionRuntimeContractTest {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path data;

    private TestImages images;
    private LeasingRouteTable routes;
    private LocalRuntime runtime;
    private final List<Long> seenPids = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        Path bwrap = Path.of(RealComponent.BWRAP.require());
        images = TestImages.shared();
        routes = new LeasingRouteTable();
        runtime = new LocalRuntime(settings(Optional.of(bwrap)), images, routes);
    }

    private LocalRuntimeSettings settings(Optional<Path> bwrap) {
        return LocalRuntimeSettings.defaults(data)
                .withBubblewrap(bwrap)
                .withHealthTimeout(Duration.ofSeconds(30)) // python starting on a loaded 2-core machine (CI saw > 10 s)
                .withDrainTimeout(Duration.ofSeconds(5))
                .withStopGrace(Duration.ofSeconds(2))
                .withRestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5))
                .withSecrets((owner, name) -> owner.equals("alice") && name.equals("api-key")
                        ? Optional.of("s3cret-value".getBytes(StandardCharsets.UTF_8)) : Optional.empty());
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            ProcessHandle.current().descendants().forEach(p -> seenPids.add(p.pid()));
            runtime.close();
            for (long pid : seenPids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        () -> "process " + pid + " outlived the runtime: "
                                + ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("?"));
            }
        }
    }

    @Override
    protected FunctionRuntime runtime() {
        return runtime;
    }

    @Override
    protected ContractImages images() {
        return new ContractImages(images.v1, images.v2, images.unhealthy);
    }

    @Override
    protected Optional<String> servedVersion(String owner, String function) throws Exception {
        Optional<LeasingRouteTable.Lease> lease = routes.acquire(new FunctionAddress(owner, function));
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try (LeasingRouteTable.Lease held = lease.get()) {
            HttpResponse<String> response = get(held.backend(), "/");
            assertEquals(200, response.statusCode(), response::body);
            return Optional.of(response.body());
        }
    }

    @Override
    protected OptionalLong writes() {
        return OptionalLong.of(runtime.processesStarted());
    }

    @Test
    void duringARollingUpdateEveryRequestSucceedsAndThenOnlyTheNewVersionAnswers() throws Exception {
        RolloutResult first = runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, first.outcome(), first::toString);
        FunctionAddress address = new FunctionAddress("alice", "hello");
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch warmedUp = new CountDownLatch(20);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread client = new Thread(() -> {
                while (running.get()) {
                    try (LeasingRouteTable.Lease lease = routes.acquire(address).orElseThrow()) {
                        // Slow requests, so that some are in flight while the route switches.
                        HttpResponse<String> response = get(lease.backend(), "/?delay=0.05");
                        if (response.statusCode() == 200) {
                            answers.add(response.body());
                        } else {
                            failures.add(response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                    warmedUp.countDown();
                }
            });
            client.start();
            clients.add(client);
        }
        assertTrue(warmedUp.await(20, TimeUnit.SECONDS), "the client got going on v1");

        RolloutResult result = runtime.deploy(deployment("alice", "fns", "hello", images.v2, "c2", 2));
        int atSwitch = answers.size();
        Thread.sleep(500);
        running.set(false);
        for (Thread client : clients) {
            client.join(10_000);
        }

        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals(List.of(), failures, "no request fails during a rolling update");
        List<String> all;
        synchronized (answers) {
            all = List.copyOf(answers);
        }
        assertTrue(all.subList(0, 20).contains("one"), "v1 served before the update");
        List<String> after = all.subList(atSwitch, all.size());
        assertFalse(after.isEmpty(), "requests were answered after the update");
        // deploy() returns once v2 takes new requests; v1 finishes, off the rollout's path, what it already had.
        assertTrue(after.stream().filter("one"::equals).count() <= clients.size(),
                "after the update v1 answers at most the requests in flight on it: " + after);
        assertEquals("two", after.get(after.size() - 1), "then only v2 answers");
        int firstTwo = all.indexOf("two");
        assertTrue(all.subList(firstTwo, all.size()).stream()
                        .filter("one"::equals).count() <= 2,
                "at most the requests already in flight on the other two clients answer v1 after v2 first did");
    }

    @Test
    void aRolloutDoesNotWaitForTheOldVersionsRequestsItFinishesThemAfterwards() throws Exception {
        runtime.close();
        runtime = new LocalRuntime(settings(Optional.of(Path.of(RealComponent.BWRAP.require())))
                .withDrainTimeout(Duration.ofSeconds(120)), images, routes);
        FunctionAddress address = new FunctionAddress("alice", "hello");
        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        long v1 = runtime.pid("alice", "hello").orElseThrow();
        LeasingRouteTable.Lease inFlight = routes.acquire(address).orElseThrow(); // a long request on v1

        RolloutResult result = runtime.deploy(deployment("alice", "fns", "hello", images.v2, "c2", 2));

        // Returned while v1 still had its request: the owner's next rollout is not held up by it.
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertTrue(result.message().contains("release 1 stops once its requests are done"), result.message());
        assertEquals(Optional.of("two"), servedVersion("alice", "hello"));
        assertTrue(ProcessHandle.of(v1).map(ProcessHandle::isAlive).orElse(false), "v1 still runs for its request");
        assertEquals("one", get(inFlight.backend(), "/").body(), "and still answers on its own port");
        inFlight.close();
        Optional<ProcessHandle> stopping = ProcessHandle.of(v1);
        if (stopping.isPresent()) {
            stopping.get().onExit().get(60, TimeUnit.SECONDS);
        }
        assertFalse(ProcessHandle.of(v1).map(ProcessHandle::isAlive).orElse(false), "then it stopped");
    }

    @Test
    void aNewVersionThatExitsFailsWithItsLastLogLinesAndTheOldOneKeepsServing() throws Exception {
        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        Backend before = routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow();

        RolloutResult result = runtime.deploy(deployment("alice", "fns", "hello", images.exits, "c2", 2));

        assertEquals(RolloutResult.Outcome.FAILED, result.outcome(), result::toString);
        assertEquals("ProcessExited", result.reason());
        assertTrue(result.message().contains("exited with code 3"), result.message());
        assertTrue(result.message().contains("release 1 keeps serving"), result.message());
        assertTrue(result.lastLogLines().contains("boom: this version cannot start"), result.lastLogLines()::toString);
        assertEquals(before, routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow(), "route untouched");
        assertEquals(Optional.of("one"), servedVersion("alice", "hello"));
    }

    @Test
    void aNewVersionThatNeverGetsHealthyTimesOutAndIsStopped() throws Exception {
        runtime.close(); // a shorter health time-out, as this one is waited out
        runtime = new LocalRuntime(settings(Optional.of(Path.of(RealComponent.BWRAP.require())))
                .withHealthTimeout(Duration.ofSeconds(10)), images, routes);
        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        long started = runtime.processesStarted();

        RolloutResult result = runtime.deploy(deployment("alice", "fns", "hello", images.unhealthy, "c2", 2));

        assertEquals("HealthCheckTimeout", result.reason(), result::toString);
        assertTrue(result.lastLogLines().contains("serving version three on port " + portOfLastAttempt(result)),
                result.lastLogLines()::toString);
        assertEquals(started + 1, runtime.processesStarted());
        assertEquals(Optional.of("one"), servedVersion("alice", "hello"));
        // The unhealthy instance is gone: only the serving one is a child of this JVM under bubblewrap.
        assertEquals(1, ProcessHandle.current().children().filter(p -> p.info().command()
                .map(c -> c.endsWith("bwrap")).orElse(false)).count());
    }

    @Test
    void aKilledInstanceIsRestartedAndAnswersAgain() throws Exception {
        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        long pid = runtime.pid("alice", "hello").orElseThrow();
        List<ProcessHandle> tree = ProcessHandle.of(pid).orElseThrow().descendants().toList();
        ProcessHandle python = tree.stream()
                .filter(p -> p.info().command().map(c -> c.contains("python3")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no python3 under " + tree));

        new ProcessBuilder("kill", "-9", Long.toString(python.pid())).inheritIO().start().waitFor();

        java.util.concurrent.atomic.AtomicReference<Optional<String>> answered = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until("a new instance to answer", java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(100), () -> {
            Optional<Long> now = runtime.pid("alice", "hello");
            if (now.isEmpty() || now.get() == pid) {
                return false;
            }
            try {
                answered.set(servedVersion("alice", "hello"));
                return true;
            } catch (IOException e) {
                return false; // not listening yet
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Optional<String> answer = answered.get();
        assertEquals(Optional.of("one"), answer, "the function answers again after kill -9");
        assertNotEquals(pid, runtime.pid("alice", "hello").orElseThrow());
        assertFalse(python.isAlive());
        assertTrue(runtime.recentLogs("alice", "hello", 500).stream()
                .anyMatch(l -> l.contains("instance exited with code")), "the restart is in the function's log");
        assertEquals(1, runtime.list("alice", "fns").get(0).ready());
    }

    @Test
    void theSandboxShowsNeitherTheDataFolderNorTheDaemonsEnvironment() throws Exception {
        Files.writeString(data.resolve("daemon-secret.txt"), "do not show");
        FunctionDeployment deployment = new FunctionDeployment("alice", "fns", "hello", images.v1, "c1", 1,
                Map.of("GREETING", "hello"), List.of("api-key"), Map.of(), Map.of(),
                FunctionDeployment.Resources.none(), true);
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, runtime.deploy(deployment).outcome());
        Backend backend = routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow();
        Map<String, String> daemonEnv = System.getenv();
        assertTrue(daemonEnv.containsKey(RealComponent.BWRAP.variable()), "the test JVM has a daemon variable to hide");

        JsonObject seen = new JsonObject(get(backend, "/_/env").body());

        Set<String> keys = seen.getJsonObject("env").fieldNames();
        assertEquals(Set.of("PATH", "PORT", "GREETING", "PYTHONUNBUFFERED", "IMAGE_VERSION", "HOME"),
                keys.stream().filter(k -> !k.equals("PWD") && !k.equals("LC_CTYPE")).collect(Collectors.toSet()),
                "only the image's env, the stack's env and PORT");
        // Every process in the sandbox (bubblewrap's own pid 1 included) has only those variables.
        Set<String> allowed = Set.of("PATH", "PORT", "GREETING", "PYTHONUNBUFFERED", "IMAGE_VERSION", "HOME", "PWD",
                "LC_CTYPE");
        JsonObject procs = seen.getJsonObject("proc");
        assertTrue(procs.size() >= 2, "the function sees its own processes: " + procs);
        for (String pid : procs.fieldNames()) {
            for (String pair : procs.getString(pid).split("\u0000")) {
                if (!pair.isEmpty()) {
                    String name = pair.substring(0, pair.indexOf('='));
                    assertTrue(allowed.contains(name), name + " of the daemon leaks into pid " + pid + ": " + procs);
                }
            }
        }
        assertFalse(procs.encode().contains(daemonEnv.get(RealComponent.BWRAP.variable())), "no daemon value leaks");
        assertEquals(10001, seen.getInteger("uid"));
        assertEquals("/home/app", seen.getString("cwd"));
        assertEquals("/home/app", seen.getJsonObject("env").getString("HOME"), "HOME from the image's passwd");
        assertEquals("no", get(backend, "/_/exists?path=" + encode(data.toString())).body());
        assertEquals("no", get(backend, "/_/exists?path=" + encode(data.resolve("daemon-secret.txt").toString())).body());
        assertEquals("no", get(backend, "/_/exists?path=/root").body());
        assertEquals("s3cret-value", get(backend, "/_/read?path=/var/openfaas/secrets/api-key").body());
        assertTrue(get(backend, "/_/read?path=/etc/passwd").body().contains("app:x:10001"), "the image's passwd");
        assertEquals(403, get(backend, "/_/write?path=/home/app/server.py").statusCode(), "the image root is read-only");
        assertEquals(200, get(backend, "/_/write?path=/tmp/scratch").statusCode(), "/tmp is writable");
    }

    @Test
    void aMissingSecretFailsTheDeployWithoutStartingAnything() throws Exception {
        FunctionDeployment deployment = new FunctionDeployment("bob", "fns", "hello", images.v1, "c1", 1,
                Map.of(), List.of("api-key"), Map.of(), Map.of(), FunctionDeployment.Resources.none(), true);

        RolloutResult result = runtime.deploy(deployment);

        assertEquals("SecretNotFound", result.reason(), result::toString);
        assertEquals(0, runtime.processesStarted());
        assertEquals(List.of(), runtime.listOwner("bob"));
    }

    @Test
    void closingTheRuntimeStopsEveryProcessAndUnroutes() throws Exception {
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, runtime.deploy(deployment("alice", "fns", "a", images.v1, "c1", 1)).outcome());
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, runtime.deploy(deployment("bob", "fns", "b", images.v2, "c1", 1)).outcome());
        List<ProcessHandle> all = new ArrayList<>();
        for (String[] fn : new String[][] {{"alice", "a"}, {"bob", "b"}}) {
            ProcessHandle root = ProcessHandle.of(runtime.pid(fn[0], fn[1]).orElseThrow()).orElseThrow();
            all.add(root);
            all.addAll(root.descendants().toList());
        }
        assertTrue(all.size() >= 4, "bwrap and the function for each: " + all);

        runtime.close();

        for (ProcessHandle process : all) {
            assertFalse(process.isAlive(), process + " " + process.info() + " outlived close()");
        }
        assertEquals(Optional.empty(), routes.lookup(new FunctionAddress("alice", "a")));
        RolloutResult after = runtime.deploy(deployment("alice", "fns", "c", images.v1, "c1", 1));
        assertEquals(RolloutResult.Outcome.FAILED, after.outcome());
        runtime = null;
    }

    @Test
    void aRestartedDaemonStartsTheDesiredReleasesAgain() throws Exception {
        FunctionDeployment hello = deployment("alice", "fns", "hello", images.v2, "c2", 2);
        FunctionDeployment other = deployment("bob", "tools", "other", images.v1, "c1", 1);
        runtime.deploy(hello);
        runtime.close();
        runtime = new LocalRuntime(settings(Optional.of(Path.of(RealComponent.BWRAP.require()))), images, routes);

        List<RolloutResult> results = runtime.restore(List.of(hello, other));

        assertEquals(List.of(RolloutResult.Outcome.ROLLED_OUT, RolloutResult.Outcome.ROLLED_OUT),
                results.stream().map(RolloutResult::outcome).toList());
        assertEquals(Optional.of("two"), servedVersion("alice", "hello"));
        assertEquals(Optional.of("one"), servedVersion("bob", "other"));
        assertEquals(RolloutResult.Outcome.UNCHANGED, runtime.restore(List.of(hello)).get(0).outcome(),
                "restoring what runs changes nothing");
        try (var roots = Files.list(data.resolve("runtime/roots"))) {
            assertEquals(Set.of(folderOf(images.v1), folderOf(images.v2)),
                    roots.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "one root per image digest, reused across daemon runs, no half-unpacked leftovers");
        }
    }

    @Test
    void withoutBubblewrapAPlainProcessServesTheSameImage() throws Exception {
        runtime.close();
        runtime = new LocalRuntime(settings(Optional.empty()), images, routes);

        RolloutResult result = runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));

        assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertTrue(result.message().contains("via plain"), result.message());
        assertEquals(Optional.of("one"), servedVersion("alice", "hello"));
        Backend backend = routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow();
        JsonObject seen = new JsonObject(get(backend, "/_/env").body());
        assertFalse(seen.getJsonObject("env").containsKey(RealComponent.BWRAP.variable()), "environment cleared");
    }

    /** Replaced instances drain and stop in the background; their roots go when they have stopped. */
    private void awaitRoots(Set<String> expected, String why) throws Exception {
        for (int i = 0; i < 300 && !expected.equals(rootFolders()); i++) {
            Thread.sleep(100);
        }
        assertEquals(expected, rootFolders(), why);
    }

    @Test
    void rootsOfImagesNoInstanceRunsAreDeleted() throws Exception {
        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        runtime.deploy(deployment("bob", "fns", "hello", images.v1, "c1", 1));
        runtime.deploy(deployment("alice", "fns", "hello", images.v2, "c2", 2));
        assertEquals(Set.of(folderOf(images.v1), folderOf(images.v2)), rootFolders(), "bob still runs v1");

        runtime.remove("bob", "fns", "hello");
        awaitRoots(Set.of(folderOf(images.v2)), "v1 went once its last instance stopped");
        runtime.deploy(deployment("alice", "fns", "hello", images.exits, "c3", 3));
        awaitRoots(Set.of(folderOf(images.v2)), "a failed version's root goes too");
        assertEquals(Optional.of("two"), servedVersion("alice", "hello"));

        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c4", 4));
        awaitRoots(Set.of(folderOf(images.v1)), "a rollback unpacks the old image again; v2's goes once it stopped");
        assertEquals(Optional.of("one"), servedVersion("alice", "hello"));
    }

    private Set<String> rootFolders() throws IOException {
        try (var roots = Files.list(data.resolve("runtime/roots"))) {
            return roots.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void aFunctionThatExitsAtStartKeepsItsOutputInTheRuntimeLogAndTheFailedReason() throws Exception {
        assertExitAtStartIsExplained();
    }

    @Test
    void withoutBubblewrapAFunctionThatExitsAtStartKeepsItsOutputToo() throws Exception {
        runtime.close();
        runtime = new LocalRuntime(settings(Optional.empty()), images, routes);
        assertExitAtStartIsExplained();
    }

    /** The first release of a function exits before it is healthy: nothing serves, yet its lines are kept. */
    private void assertExitAtStartIsExplained() throws Exception {
        RolloutResult result = runtime.deploy(deployment("carol", "fns", "broken", images.exits, "c1", 1));

        assertEquals("ProcessExited", result.reason(), result::toString);
        assertEquals(List.of("boom: this version cannot start"), result.lastLogLines());
        assertTrue(result.message().contains("exited with code 3")
                && result.message().contains("last output: boom: this version cannot start"), result.message());
        List<String> log = runtime.recentLogs("carol", "broken", 200);
        assertEquals("boom: this version cannot start", log.get(log.size() - 1), log::toString);
        assertTrue(log.get(0).contains("release 1 exited with code 3"), log::toString);

        runtime.deploy(deployment("carol", "fns", "broken", images.v1, "c2", 2));
        int port = routes.lookup(new FunctionAddress("carol", "broken")).orElseThrow().port();
        assertEquals(List.of("serving version one on port " + port), runtime.recentLogs("carol", "broken", 200),
                "once a release starts, the runtime log is its own again");
    }

    @Test
    void recentLogsShowWhatTheCurrentInstanceWrote() throws Exception {
        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        int port = routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow().port();

        List<String> logs = runtime.recentLogs("alice", "hello", 10);

        assertEquals(List.of("serving version one on port " + port), logs);
        assertEquals(List.of(), runtime.recentLogs("alice", "nothing", 10));
    }

    /**
     * Scale to zero keeps the unpacked root and the launch plan: nothing runs or is routed, the function is listed
     * with 0 instances, and a deploy of the same deployment starts one process from the very same root folder
     * (not unpacked again). Its earlier output stays in the runtime log.
     */
    @Test
    void aFunctionScaledToZeroKeepsItsRootAndWakesByStartingOnlyTheProcess() throws Exception {
        FunctionDeployment v1 = deployment("alice", "fns", "hello", images.v1, "c1", 1);
        runtime.deploy(v1);
        long pid = runtime.pid("alice", "hello").orElseThrow();
        Path root = data.resolve("runtime/roots").resolve(folderOf(images.v1));
        Object inode = Files.getAttribute(root, "unix:ino");
        long started = runtime.processesStarted();

        runtime.scaleToZero(v1);

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "its process stopped");
        assertEquals(Optional.empty(), routes.lookup(new FunctionAddress("alice", "hello")), "unrouted");
        assertEquals(List.of(new dev.driftless.runtime.DeployedFunction("alice", "fns", "hello", images.v1, "c1", 1, 0, 0)),
                runtime.list("alice", "fns"), "listed at zero");
        assertEquals(Set.of(folderOf(images.v1)), rootFolders(), "root kept while asleep");
        LocalRuntime.RootsUsage usage = runtime.rootsUsage();
        assertEquals(0, usage.runningRoots());
        assertEquals(1, usage.asleepRoots(), "the kept root is accounted for");
        assertTrue(usage.asleepBytes() > 0, usage::toString);
        assertTrue(runtime.recentLogs("alice", "hello", 10).get(0).startsWith("serving version one on port "),
                "what it wrote before it slept is still shown");

        RolloutResult woken = runtime.deploy(v1);

        assertEquals(RolloutResult.Outcome.ROLLED_OUT, woken.outcome(), woken::message);
        assertEquals("Woken", woken.reason());
        assertEquals(started + 1, runtime.processesStarted(), "one process, nothing else");
        assertEquals(inode, Files.getAttribute(root, "unix:ino"), "the same root folder, not unpacked again");
        assertEquals(Optional.of("one"), servedVersion("alice", "hello"));
        assertEquals(1, runtime.list("alice", "fns").get(0).ready());
        assertEquals(new LocalRuntime.RootsUsage(1, usage.asleepBytes(), 0, 0), runtime.rootsUsage(), "running again");
        assertEquals(RolloutResult.Outcome.UNCHANGED, runtime.deploy(v1).outcome(), "awake again: a resync changes nothing");
    }

    /** A kept root is still collected once nothing can wake it: another version deployed, or the function removed. */
    @Test
    void theKeptRootOfASleepingFunctionGoesWhenAnotherVersionIsDeployedOrItIsRemoved() throws Exception {
        runtime.deploy(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        runtime.scaleToZero(deployment("alice", "fns", "hello", images.v1, "c1", 1));
        runtime.scaleToZero(deployment("alice", "other", "hello", images.v1, "c1", 1)); // another repository's name: not touched, no error

        runtime.deploy(deployment("alice", "fns", "hello", images.v2, "c2", 2));
        awaitRoots(Set.of(folderOf(images.v2)), "v1's kept root went with the new version");
        assertEquals(Optional.of("two"), servedVersion("alice", "hello"));

        runtime.scaleToZero(deployment("alice", "fns", "hello", images.v2, "c2", 2));
        runtime.remove("alice", "fns", "hello");
        assertEquals(List.of(), runtime.list("alice", "fns"), "removed while asleep: gone");
        awaitRoots(Set.of(), "and its kept root with it");
    }

    private static String folderOf(String image) {
        return image.substring(image.indexOf('@') + 1).replace(':', '-');
    }

    private int portOfLastAttempt(RolloutResult result) {
        return result.lastLogLines().stream().filter(l -> l.startsWith("serving version three on port "))
                .map(l -> Integer.parseInt(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static HttpResponse<String> get(Backend backend, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + backend.host() + ":" + backend.port() + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
