package dev.driftless.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in git endpoint on a real Vert.x server, driven by the system {@code git} binary. */
class GitHttpHandlerTest {
    private static final String ZEROS = "0000000000000000000000000000000000000000";
    private static final Map<String, String> TOKENS = Map.of("alice", "alice-token-1", "bob", "bob-token-2");

    @TempDir
    static Path temp;

    private static Vertx vertx;
    private static WorkerExecutor worker;
    private static HttpServer server;
    private static WebClient client;
    private static int port;
    private static Path root;
    private static Path home;
    private static final List<List<RepositoryChanged>> pushes = new CopyOnWriteArrayList<>();
    private static final Map<String, String> sinkThreads = new ConcurrentHashMap<>();
    private static final List<String> contentEncodings = new CopyOnWriteArrayList<>();
    private static volatile boolean sinkFailing;
    private static final java.util.concurrent.CountDownLatch authenticatorEntered = new java.util.concurrent.CountDownLatch(1);
    private static final java.util.concurrent.CountDownLatch authenticatorRelease = new java.util.concurrent.CountDownLatch(1);

    /** Token per owner, compared in constant time, like the reconciler's. */
    static boolean mayAccess(String owner, String user, String token) {
        String expected = TOKENS.get(owner);
        return expected != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(temp.resolve("repositories"));
        home = Files.createDirectories(temp.resolve("home"));
        vertx = Vertx.vertx();
        worker = vertx.createSharedWorkerExecutor("test-git-worker", 2, 5, TimeUnit.MINUTES);
        GitPushSink sink = changes -> {
            sinkThreads.put(changes.get(0).ref(), Thread.currentThread().getName());
            if (sinkFailing) {
                throw new IllegalStateException("store unavailable");
            }
            pushes.add(changes);
        };
        Router router = Router.router(vertx);
        router.route("/git/*").handler(ctx -> {
            String encoding = ctx.request().getHeader("Content-Encoding");
            if (encoding != null) {
                contentEncodings.add(ctx.request().path() + " " + encoding);
            }
            ctx.next();
        });
        router.route("/git/*").handler(GitHttpHandler.builder()
                .repositoriesRoot(root).authenticator(GitHttpHandlerTest::mayAccess).sink(sink).worker(worker)
                .protectedBranches(Set.of("release")).build());
        router.route("/small-git/*").handler(GitHttpHandler.builder().mountPath("/small-git")
                .repositoriesRoot(Files.createDirectories(temp.resolve("small"))).authenticator(GitHttpHandlerTest::mayAccess)
                .sink(sink).worker(worker).maxPushBytes(64 * 1024).build());
        router.route("/busy-git/*").handler(GitHttpHandler.builder().mountPath("/busy-git")
                .repositoriesRoot(Files.createDirectories(temp.resolve("busy"))).sink(sink).worker(worker).maxInFlight(1)
                .authenticator((owner, user, token) -> {
                    authenticatorEntered.countDown();
                    try {
                        return authenticatorRelease.await(30, TimeUnit.SECONDS) && mayAccess(owner, user, token);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }).build());
        server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
        port = server.actualPort();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        await(server.close());
        await(worker.close());
        await(vertx.close());
    }

    @BeforeEach
    void reset() {
        pushes.clear();
        sinkFailing = false;
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    record Result(int exit, String output) { }

    /** Runs the system git with an isolated HOME and no system config, never prompting. */
    static Result git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ASKPASS", "");
        env.put("SSH_ASKPASS", "");
        env.put("GIT_AUTHOR_NAME", "Alice");
        env.put("GIT_AUTHOR_EMAIL", "alice@example.com");
        env.put("GIT_COMMITTER_NAME", "Alice");
        env.put("GIT_COMMITTER_EMAIL", "alice@example.com");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("git " + String.join(" ", args) + " did not finish:\n" + output);
        }
        return new Result(process.exitValue(), output);
    }

    static Result ok(Path dir, String... args) throws Exception {
        Result result = git(dir, args);
        assertEquals(0, result.exit(), "git " + String.join(" ", args) + ":\n" + result.output());
        return result;
    }

    static String url(String user, String token, String owner, String repository) {
        return "http://" + user + ":" + token + "@127.0.0.1:" + port + "/git/" + owner + "/" + repository + ".git";
    }

    /** A fresh working repository on branch main with one commit. */
    static Path workTree(String name, String content) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("work-" + name + "-" + System.nanoTime()));
        ok(dir, "init", "-q", "-b", "main");
        commit(dir, "stack.yml", content);
        return dir;
    }

    static String commit(Path dir, String file, String content) throws Exception {
        Files.writeString(dir.resolve(file), content);
        ok(dir, "add", file);
        ok(dir, "commit", "-q", "-m", "change " + file);
        return head(dir);
    }

    static String head(Path dir) throws Exception {
        return ok(dir, "rev-parse", "HEAD").output().trim();
    }

    @Test
    void pushCreatesTheRepositoryTellsTheSinkAndClonesBack() throws Exception {
        Path work = workTree("first", "version: 1.0\n");
        String sha = head(work);
        Result push = ok(work, "push", url("alice", TOKENS.get("alice"), "alice", "fns"), "main");
        assertTrue(push.output().contains("driftless: recorded alice/fns"), push.output());

        Path bare = root.resolve("alice/fns.git");
        assertEquals(1, pushes.size());
        assertEquals(List.of(new RepositoryChanged("alice", "fns", "refs/heads/main", ZEROS, sha, bare.toAbsolutePath().toString())),
                pushes.get(0));
        assertTrue(sinkThreads.get("refs/heads/main").startsWith("test-git-worker"), sinkThreads.toString());
        assertEquals("ref: refs/heads/main", Files.readString(bare.resolve("HEAD")).trim());
        assertEquals("true", ok(bare, "config", "core.bare").output().trim());

        Path clone = temp.resolve("clone-" + System.nanoTime());
        ok(temp, "clone", "-q", url("alice", TOKENS.get("alice"), "alice", "fns"), clone.toString());
        assertEquals(sha, head(clone));
        assertEquals("version: 1.0\n", Files.readString(clone.resolve("stack.yml")));

        // A second push moves main forward: before is the old head, after the new one.
        String second = commit(work, "handler.py", "def handle(req):\n    return req\n");
        ok(work, "push", url("alice", TOKENS.get("alice"), "alice", "fns"), "main");
        assertEquals(new RepositoryChanged("alice", "fns", "refs/heads/main", sha, second, bare.toAbsolutePath().toString()),
                pushes.get(1).get(0));
        ok(clone, "pull", "-q", "--ff-only");
        assertEquals(second, head(clone));
    }

    @Test
    void wrongTokenIsRefusedWithAMessage() throws Exception {
        Path work = workTree("wrong-token", "version: 1.0\n");
        Result push = git(work, "push", url("alice", "not-the-token", "alice", "wrongtoken"), "main");
        assertNotEquals(0, push.exit());
        assertTrue(push.output().contains("access denied"), push.output());
        assertTrue(push.output().contains("403"), push.output());
        assertFalse(Files.exists(root.resolve("alice/wrongtoken.git")));
        assertEquals(0, pushes.size());

        Result clone = git(temp, "clone", url("bob", "guess", "bob", "anything"), temp.resolve("never-" + System.nanoTime()).toString());
        assertNotEquals(0, clone.exit());
        assertTrue(clone.output().contains("access denied"), clone.output());
    }

    @Test
    void anotherOwnersTokenIsRefused() throws Exception {
        Path work = workTree("wrong-owner", "version: 1.0\n");
        Result push = git(work, "push", url("alice", TOKENS.get("alice"), "bob", "fns"), "main");
        assertNotEquals(0, push.exit());
        assertTrue(push.output().contains("access denied") && push.output().contains("'bob'"), push.output());
        assertFalse(Files.exists(root.resolve("bob")));
        assertEquals(0, pushes.size());
    }

    @Test
    void missingCredentialsAsk401WithBasicChallenge() throws Exception {
        HttpResponse<Buffer> response = await(client.get(port, "127.0.0.1", "/git/alice/fns.git/info/refs?service=git-upload-pack").send());
        assertEquals(401, response.statusCode());
        assertEquals("Basic realm=\"driftless\", charset=\"UTF-8\"", response.getHeader("WWW-Authenticate"));

        Result lsRemote = git(temp, "ls-remote", "http://127.0.0.1:" + port + "/git/alice/fns.git");
        assertNotEquals(0, lsRemote.exit());
        assertTrue(lsRemote.output().contains("could not read Username") || lsRemote.output().contains("Authentication failed"),
                lsRemote.output());
    }

    @Test
    void nonFastForwardToProtectedBranchesIsRefusedButAllowedElsewhere() throws Exception {
        Path work = workTree("nff", "version: 1.0\n");
        String url = url("alice", TOKENS.get("alice"), "alice", "guarded");
        ok(work, "push", url, "main", "main:release", "main:feature");
        String published = head(work);
        pushes.clear();

        ok(work, "commit", "-q", "--amend", "-m", "rewritten history");
        String rewritten = head(work);
        Result force = git(work, "push", "--force", url, "main");
        assertNotEquals(0, force.exit(), force.output());
        assertTrue(force.output().contains("non-fast-forward push to protected branch main refused"), force.output());
        Path bare = root.resolve("alice/guarded.git");
        assertEquals(published, ok(bare, "rev-parse", "refs/heads/main").output().trim());

        Result release = git(work, "push", "--force", url, "main:release");
        assertNotEquals(0, release.exit(), release.output());
        assertTrue(release.output().contains("protected branch release"), release.output());

        Result delete = git(work, "push", url, ":main");
        assertNotEquals(0, delete.exit(), delete.output());
        assertTrue(delete.output().contains("deleting protected branch main is refused"), delete.output());
        assertEquals(0, pushes.size());

        // Rewriting an unprotected branch is the user's business.
        ok(work, "push", "--force", url, "main:feature");
        assertEquals(rewritten, ok(bare, "rev-parse", "refs/heads/feature").output().trim());
        assertEquals(List.of(new RepositoryChanged("alice", "guarded", "refs/heads/feature", published, rewritten,
                bare.toAbsolutePath().toString())), pushes.get(0));
    }

    @Test
    void cloningARepositoryThatDoesNotExistSaysSo() throws Exception {
        Result clone = git(temp, "clone", url("alice", TOKENS.get("alice"), "alice", "nothing-here"), temp.resolve("none-" + System.nanoTime()).toString());
        assertNotEquals(0, clone.exit());
        assertTrue(clone.output().contains("repository alice/nothing-here does not exist"), clone.output());
        assertFalse(Files.exists(root.resolve("alice/nothing-here.git")), "a fetch must not create repositories");
    }

    @Test
    void aBusyEndpointAnswers503InsteadOfQueueing() throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString(("alice:" + TOKENS.get("alice")).getBytes(StandardCharsets.UTF_8));
        String path = "/busy-git/alice/busy.git/info/refs?service=git-receive-pack";
        Future<HttpResponse<Buffer>> first = client.get(port, "127.0.0.1", path).putHeader("Authorization", auth).send();
        assertTrue(authenticatorEntered.await(30, TimeUnit.SECONDS));
        HttpResponse<Buffer> second = await(client.get(port, "127.0.0.1", path).putHeader("Authorization", auth).send());
        assertEquals(503, second.statusCode(), second.bodyAsString());
        assertTrue(second.bodyAsString().contains("busy"), second.bodyAsString());
        authenticatorRelease.countDown();
        HttpResponse<Buffer> served = await(first);
        assertEquals(200, served.statusCode(), served.bodyAsString());
        assertEquals("application/x-git-receive-pack-advertisement", served.getHeader("Content-Type"));
        assertTrue(served.bodyAsString().startsWith("001f# service=git-receive-pack\n0000"), served.bodyAsString());
    }

    @Test
    void pathTraversalAndInvalidNamesAre400() throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString(("alice:" + TOKENS.get("alice")).getBytes(StandardCharsets.UTF_8));
        for (String path : List.of(
                "/git/alice/..%2F..%2Fetc.git/info/refs?service=git-upload-pack",
                "/git/alice/%2e%2e/info/refs?service=git-upload-pack",
                "/git/alice/.hidden.git/info/refs?service=git-receive-pack",
                "/git/alice/a..b.git/info/refs?service=git-receive-pack",
                "/git/Alice/fns.git/info/refs?service=git-receive-pack",
                "/git/-alice/fns.git/info/refs?service=git-receive-pack",
                "/git/alice/fns.git/extra/info/refs?service=git-receive-pack",
                "/git/alice/fns.git/info/refs",
                "/git/alice/fns.git/info/refs?service=git-shell")) {
            HttpResponse<Buffer> response = await(client.get(port, "127.0.0.1", path).putHeader("Authorization", auth).send());
            assertEquals(400, response.statusCode(), path + ": " + response.bodyAsString());
            assertTrue(response.bodyAsString().startsWith("driftless: "), response.bodyAsString());
        }

        Path work = workTree("traversal", "version: 1.0\n");
        Result hidden = git(work, "push", "http://alice:" + TOKENS.get("alice") + "@127.0.0.1:" + port + "/git/alice/.evil.git", "main");
        assertNotEquals(0, hidden.exit());
        assertTrue(hidden.output().contains("invalid repository name"), hidden.output());

        Result escaped = git(work, "push", "http://alice:" + TOKENS.get("alice") + "@127.0.0.1:" + port + "/git/alice/..%2f..%2fescape.git", "main");
        assertNotEquals(0, escaped.exit());
        assertFalse(Files.exists(temp.resolve("escape.git")));
        try (Stream<Path> created = Files.walk(root)) {
            assertTrue(created.noneMatch(p -> p.getFileName().toString().contains("evil") || p.getFileName().toString().contains("escape")));
        }
        assertEquals(0, pushes.size());
    }

    @Test
    void sinkFailureIsShownToTheGitClient() throws Exception {
        sinkFailing = true;
        Path work = workTree("sink-failure", "version: 1.0\n");
        Result push = git(work, "push", url("alice", TOKENS.get("alice"), "alice", "unrecorded"), "main");
        assertTrue(push.output().contains("reconcile trigger was NOT recorded"), push.output());
        assertEquals(0, pushes.size());
        // The refs did move (the hook runs after the update): the message tells the user what was lost.
        assertEquals(head(work), ok(root.resolve("alice/unrecorded.git"), "rev-parse", "refs/heads/main").output().trim());
    }

    @Test
    void largeFetchNegotiationsArriveGzipped() throws Exception {
        // Many branches on distinct commits make the clone's want list pass git's 1 KiB gzip threshold.
        Path work = workTree("many-branches", "version: 1.0\n");
        List<String> refspecs = new ArrayList<>(List.of("push", url("alice", TOKENS.get("alice"), "alice", "many"), "main"));
        for (int i = 0; i < 40; i++) {
            commit(work, "f" + i, "content " + i);
            ok(work, "branch", "b" + i);
            refspecs.add("b" + i);
        }
        ok(work, refspecs.toArray(String[]::new));
        contentEncodings.clear();
        Path clone = temp.resolve("clone-many-" + System.nanoTime());
        ok(temp, "clone", "-q", "--no-single-branch", url("alice", TOKENS.get("alice"), "alice", "many"), clone.toString());
        assertEquals(head(work), ok(clone, "rev-parse", "origin/b39").output().trim());
        assertTrue(contentEncodings.stream().anyMatch(e -> e.endsWith("git-upload-pack gzip")), contentEncodings.toString());
    }

    @Test
    void pushesOverTheLimitAreRefusedWithAMessage() throws Exception {
        Path work = workTree("too-big", "version: 1.0\n");
        byte[] noise = new byte[512 * 1024];
        new java.util.Random(42).nextBytes(noise);
        Files.write(work.resolve("blob.bin"), noise);
        ok(work, "add", "blob.bin");
        ok(work, "commit", "-q", "-m", "big");
        Result push = git(work, "push", "http://alice:" + TOKENS.get("alice") + "@127.0.0.1:" + port + "/small-git/alice/big.git", "main");
        assertNotEquals(0, push.exit(), push.output());
        assertTrue(push.output().contains("push refused: it is larger than the limit of 65536 bytes"), push.output());
        // Past http.postBuffer (1 MiB) git streams the pack chunked, without Content-Length.
        byte[] more = new byte[3 * 1024 * 1024];
        new java.util.Random(43).nextBytes(more);
        Files.write(work.resolve("blob2.bin"), more);
        ok(work, "add", "blob2.bin");
        ok(work, "commit", "-q", "-m", "bigger");
        Result chunked = git(work, "push", "http://alice:" + TOKENS.get("alice") + "@127.0.0.1:" + port + "/small-git/alice/big.git", "main");
        assertNotEquals(0, chunked.exit(), chunked.output());
        assertTrue(chunked.output().contains("push refused: it is larger than the limit of 65536 bytes"), chunked.output());
        assertEquals(0, pushes.size());
    }
}
