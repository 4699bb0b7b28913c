package dev.driftless.reliability;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.LatestStatus;
import dev.driftless.status.StatusOutbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile repositories pushed with the system git to the real daemon's built-in endpoint (one daemon for all,
 * in-process, with the embedded defaults): each ends as a clear failed {@code driftless/stack} status (or a push
 * git itself reports as refused), nothing of it is deployed, and a function deployed before keeps answering.
 * The builder's own unit tests ({@code builder/HostileRepositoryTest}) cover the guards one by one with small
 * limits; these go through webhook-free intake, the job queue, the reconciler and the status outbox at the
 * daemon's default limits (10 000 files, 200 MiB, 50 functions).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileRepositoriesTest {
    private static final Duration VERDICT = Duration.ofMinutes(3);

    @TempDir
    static Path dir;

    private Daemon daemon;
    private FunctionsModule functions;
    private String token;
    private StatusOutbox statuses;
    private ServingMonitor serving;
    private final List<String> problems = new ArrayList<>();
    private int pushes;
    private int acknowledged;
    private int hostile;
    private int refused;

    @BeforeAll
    void startDaemonWithAGoodFunction() throws Exception {
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        token = daemon.context().tokens().create("alice");
        statuses = new StatusOutbox(daemon.context().database().dataSource());
        serving = new ServingMonitor(functions.gateway().caCertificate().orElseThrow(), Map.of(
                "good", "https://localhost:" + functions.gateway().httpsPort() + "/f/alice/good"));
        Path good = repo("good", "good");
        Files.writeString(good.resolve("good/handler.py"), "def handle(req):\n    return \"v1\"\n");
        String sha = push(good, "good", token);
        awaitStack("alice", "good", sha, CommitStatus.State.SUCCESS);
        await("alice/good to answer", () -> serving.current("good").equals(OptionalInt.of(1)));
    }

    @AfterAll
    void stop() throws Exception {
        int failed = problems.size();
        if (pushes > 0) { // not when the daemon did not even start: that failure speaks for itself
            new Figures("hostile repositories", pushes, hostile, acknowledged, 0, 0, 0, failed,
                    refused + " of " + hostile + " hostile pushes refused with a clear failure, the others served harmlessly "
                            + "(zip bomb kept as a file, same name under another owner); " + (problems.isEmpty() ? "no problems"
                            : "problems: " + String.join(" | ", problems))).recordAndCheck();
        }
        if (serving != null) {
            serving.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void symlinkOutOfTheTree() throws Exception {
        Path repo = repo("symlink", "symlink");
        Files.createSymbolicLink(repo.resolve("symlink/passwd"), Path.of("/etc/passwd"));
        refusedWith(repo, "symlink", "symlink symlink/passwd points outside the repository");
    }

    @Test
    void handlerPathClimbingOut() throws Exception {
        Path repo = repo("dotdot", "dotdot");
        Files.writeString(repo.resolve("stack.yml"), stack("dotdot", "../../../etc"));
        refusedWith(repo, "dotdot", "escapes the repository");
    }

    @Test
    void moreFilesThanTheLimit() throws Exception {
        Path repo = repo("many-files", "many-files");
        Path folder = Files.createDirectories(repo.resolve("many-files/many"));
        for (int i = 0; i < 10_050; i++) {
            Files.writeString(folder.resolve("f" + i), String.valueOf(i));
        }
        refusedWith(repo, "many-files", "files, the limit is 10000");
    }

    @Test
    void aBlobLargerThanTheLimit() throws Exception {
        Path repo = repo("big-blob", "big-blob");
        // Sparse: takes no disk here, and git stores zeros compressed; the checkout counts what it would expand to.
        long size = Long.getLong("reliability.bigBlobBytes", 210L * 1024 * 1024);
        try (RandomAccessFile file = new RandomAccessFile(repo.resolve("big-blob/blob.bin").toFile(), "rw")) {
            file.setLength(size);
        }
        refusedWith(repo, "big-blob", "the limit is 200.0 MiB");
    }

    @Test
    void tenThousandFunctions() throws Exception {
        Path repo = repo("ten-thousand", "ten-thousand");
        StringBuilder stack = new StringBuilder("provider:\n  name: openfaas\nfunctions:\n");
        for (int i = 0; i < 10_000; i++) {
            stack.append("  f").append(i).append(":\n    lang: python3\n    handler: ./ten-thousand\n");
        }
        Files.writeString(repo.resolve("stack.yml"), stack);
        refusedWith(repo, "ten-thousand", "10000 functions, the limit is 50");
    }

    @Test
    void billionLaughs() throws Exception {
        Path repo = repo("laughs", "laughs");
        StringBuilder yaml = new StringBuilder("provider:\n  name: openfaas\nlol0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("lol").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                yaml.append(j == 0 ? "" : ",").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        yaml.append("functions:\n  laughs:\n    lang: python3\n    handler: ./laughs\n");
        Files.writeString(repo.resolve("stack.yml"), yaml);
        refusedWith(repo, "laughs", "stack.yml");
    }

    /**
     * A zip bomb (64 MiB of zeros in a zip of about 64 KiB) in a handler folder is an opaque file: nothing in the
     * build or the runtime extracts archives, so the function is built and served with the zip as it is, and the
     * daemon stays healthy. Checked so that a template that starts unpacking archives would be noticed. (A
     * compression bomb in the image layers themselves is bounded by the repository size limit.)
     */
    @Test
    void zipBombInAHandlerFolderIsNeverExtracted() throws Exception {
        Path repo = repo("zip-bomb", "zip-bomb");
        Files.writeString(repo.resolve("zip-bomb/handler.py"), "def handle(req):\n    return \"v7\"\n");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(repo.resolve("zip-bomb/bomb.zip")))) {
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 64; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertTrue(Files.size(repo.resolve("zip-bomb/bomb.zip")) < 1024 * 1024, "the bomb is small");
        hostile++;
        String sha = push(repo, "zip-bomb", token);
        awaitStack("alice", "zip-bomb", sha, CommitStatus.State.SUCCESS);
        try (var files = Files.walk(dir.resolve("data"))) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().equals("zeros.bin")).toList(),
                    "nothing unpacked the zip");
        }
        stillHealthy();
    }

    /** bob pushes a function named like alice's: his own, at his own route; hers is untouched. */
    @Test
    void namesCollidingAcrossOwners() throws Exception {
        String bobToken = daemon.context().tokens().create("bob");
        hostile += 2;
        Path repo = repo("good", "good");
        Files.writeString(repo.resolve("good/handler.py"), "def handle(req):\n    return \"v99\"\n");
        String sha = push(repo, "good", bobToken, "bob");
        awaitStack("bob", "good", sha, CommitStatus.State.SUCCESS);
        ServingMonitor bob = new ServingMonitor(functions.gateway().caCertificate().orElseThrow(), Map.of(
                "good", "https://localhost:" + functions.gateway().httpsPort() + "/f/bob/good"));
        try {
            await("bob/good to answer", () -> bob.current("good").equals(OptionalInt.of(99)));
        } finally {
            bob.close();
        }
        stillHealthy();
        // bob cannot push into alice's repository with his token.
        Git git = new Git(repo, bobToken);
        Git.Result intoAlice = git.tryRun("push", daemonGit("alice", "good"), "HEAD:main");
        pushes++;
        assertTrue(!intoAlice.ok(), "bob's token must not push to alice's repository: " + intoAlice.output());
        refused++;
        stillHealthy();
    }

    /** alice's second repository declares a function her first one owns: refused, the first keeps serving. */
    @Test
    void aFunctionNameTakenByAnotherRepositoryOfTheSameOwner() throws Exception {
        Path repo = repo("takeover", "good");
        Files.writeString(repo.resolve("good/handler.py"), "def handle(req):\n    return \"v666\"\n");
        refusedWith(repo, "takeover", "");
    }

    // ---- helpers

    private void refusedWith(Path repo, String name, String expected) throws Exception {
        Git.Result result;
        String sha;
        Git git = new Git(repo, token);
        git.run("add", "-A");
        git.run("commit", "-q", "-m", name);
        sha = git.run("rev-parse", "HEAD");
        result = git.tryRun("push", daemonGit("alice", name), "main");
        pushes++;
        hostile++;
        if (result.ok()) {
            acknowledged++;
            LatestStatus stack = awaitVerdict("alice", name, sha);
            if (stack.state() != CommitStatus.State.FAILURE || !stack.description().contains(expected)) {
                problems.add(name + ": " + stack.state() + " '" + stack.description() + "'");
                fail(name + ": expected a failure saying '" + expected + "', got " + stack.state() + " '" + stack.description() + "'");
            }
        } else if (!result.output().contains("driftless")) {
            problems.add(name + ": push failed without a clear reason: " + result.output());
            fail(name + ": push refused without a clear reason: " + result.output());
        }
        refused++;
        assertEquals(0, deployedReleases("alice", name), name + ": nothing deployed");
        stillHealthy();
    }

    private void stillHealthy() throws Exception {
        assertEquals(200, Webhooks.get(daemon.httpPort(), "/readyz"), "the daemon is ready");
        assertEquals(OptionalInt.of(1), serving.current("good"), "alice/good still answers its version");
    }

    private long deployedReleases(String owner, String repository) throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT COUNT(*) FROM releases WHERE owner = ? AND repository = ? AND result = 'deployed'")) {
                q.setString(1, owner);
                q.setString(2, repository);
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    private LatestStatus awaitVerdict(String owner, String repo, String sha) throws Exception {
        Instant deadline = Instant.now().plus(VERDICT);
        while (Instant.now().isBefore(deadline)) {
            LatestStatus stack = statuses.latestStates(owner, repo).get("driftless/stack");
            if (stack != null && stack.sha().equals(sha) && stack.state() != CommitStatus.State.PENDING) {
                return stack;
            }
            Thread.sleep(250);
        }
        problems.add(owner + "/" + repo + ": no verdict within " + VERDICT.toSeconds() + " s");
        throw new AssertionError(owner + "/" + repo + ": no final status within " + VERDICT.toSeconds() + " s");
    }

    private void awaitStack(String owner, String repo, String sha, CommitStatus.State state) throws Exception {
        LatestStatus stack = awaitVerdict(owner, repo, sha);
        assertEquals(state, stack.state(), owner + "/" + repo + ": " + stack.description());
    }

    private interface Check {
        boolean done() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(VERDICT);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (check.done()) {
                    return;
                }
            } catch (IOException notYet) {
                // not serving yet
            }
            Thread.sleep(250);
        }
        fail(what + " did not happen within " + VERDICT.toSeconds() + " s");
    }

    private Path repo(String name, String function) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repos").resolve(name + "-" + System.nanoTime()));
        Files.writeString(repo.resolve("stack.yml"), stack(function, "./" + function));
        Files.createDirectories(repo.resolve(function));
        Files.writeString(repo.resolve(function).resolve("handler.py"), "def handle(req):\n    return \"v0\"\n");
        Files.writeString(repo.resolve(function).resolve("requirements.txt"), "");
        new Git(repo, null).run("init", "-q", "-b", "main");
        return repo;
    }

    private String push(Path repo, String name, String ownerToken) throws Exception {
        return push(repo, name, ownerToken, "alice");
    }

    private String push(Path repo, String name, String ownerToken, String owner) throws Exception {
        Git git = new Git(repo, ownerToken);
        git.run("add", "-A");
        git.run("commit", "-q", "-m", name);
        git.run("push", "-q", daemonGit(owner, name), "main");
        pushes++;
        acknowledged++;
        return git.run("rev-parse", "HEAD");
    }

    private String daemonGit(String owner, String name) {
        return "http://127.0.0.1:" + daemon.httpPort() + "/git/" + owner + "/" + name + ".git";
    }

    private static String stack(String function, String handler) {
        return """
                provider:
                  name: openfaas
                functions:
                  %s:
                    lang: python3
                    handler: %s
                """.formatted(function, handler);
    }

    /** Plain HTTP GETs on the daemon's port. */
    private static final class Webhooks {
        static int get(int port, String path) throws Exception {
            return HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
        }
    }
}
