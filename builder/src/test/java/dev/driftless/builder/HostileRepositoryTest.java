package dev.driftless.builder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Repositories that try to hurt the daemon: each is a clear {@link BuildException}, nothing is built,
 * nothing is left in the work folder, and the image store and cache stay empty.
 */
class HostileRepositoryTest {
    static final String STACK = "version: 1.0\nfunctions:\n  hello:\n    lang: python3\n    handler: ./hello\n";

    @TempDir
    Path tmp;
    GitRepo repo;
    FakeTemplate python = new FakeTemplate("python3");

    @BeforeEach
    void setUp() throws Exception {
        repo = GitRepo.init(tmp.resolve("src"));
        repo.write("stack.yml", STACK).write("hello/handler.txt", "hi\n");
    }

    BuildException refused(String commit, Consumer<BuilderConfig.Builder> tweak) throws Exception {
        return refused(repo.source(), commit, tweak);
    }

    BuildException refused(RepoSource source, String commit, Consumer<BuilderConfig.Builder> tweak) throws Exception {
        BuilderConfig.Builder b = BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python));
        tweak.accept(b);
        RecordingListener listener = new RecordingListener();
        BuildException e = assertThrows(BuildException.class, () -> new Builder(b.build())
                .build(new BuildRequest("mallory", "evil", source, commit, Map.of(), listener)));
        assertEquals(0, python.builds.get(), "nothing was built");
        assertEquals(List.of(), list(tmp.resolve("work")), "workspace removed");
        assertEquals(List.of(), list(tmp.resolve("store")), "image store untouched");
        assertFalse(Files.exists(tmp.resolve("cache/index")), "cache untouched");
        return e;
    }

    static List<Path> list(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void testSymlinkToEtcPasswdIsRefusedNotFollowed() throws Exception {
        String commit = repo.symlink("hello/passwd", "/etc/passwd").commit("link out");
        assertEquals("symlink hello/passwd points outside the repository (/etc/passwd); links must stay inside it",
                refused(commit, b -> { }).getMessage());
    }

    @Test
    void testRelativeSymlinkClimbingOutIsRefused() throws Exception {
        String commit = repo.symlink("hello/up", "../../../../etc").commit("link up");
        assertEquals("symlink hello/up points outside the repository (../../../../etc); links must stay inside it",
                refused(commit, b -> { }).getMessage());
    }

    @Test
    void testSymlinkInsideTheRepositoryIsFine() throws Exception {
        String commit = repo.symlink("hello/alias.txt", "handler.txt").commit("link in");
        BuildResult result = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python)).build())
                .build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of(), BuildListener.discard()));
        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome());
    }

    @Test
    void testMoreFilesThanTheLimit() throws Exception {
        for (int i = 0; i < 30; i++) {
            repo.write("hello/f" + i + ".txt", "x" + i);
        }
        String commit = repo.commit("many files");
        assertEquals("repository has 32 files, the limit is 20", refused(commit, b -> b.maxFiles(20)).getMessage());
    }

    @Test
    void testMoreBytesThanTheLimit() throws Exception {
        String commit = repo.write("hello/big.bin", "y".repeat(300_000)).commit("big");
        assertEquals("repository is 293.0 KiB, the limit is 100.0 KiB", refused(commit, b -> b.maxRepoBytes(100 * 1024)).getMessage());
    }

    @Test
    void testDownloadFarPastTheLimitIsCutOff() throws Exception {
        byte[] random = new byte[1024 * 1024];
        new java.util.Random(7).nextBytes(random); // incompressible: the pack is as large as the file
        Files.write(repo.dir.resolve("hello/blob.bin"), random);
        String commit = repo.commit("a megabyte of noise");
        String message = refused(commit, b -> b.maxRepoBytes(100 * 1024)).getMessage();
        assertTrue(message.startsWith("repository download passed ") && message.endsWith(
                ", the limit is 400.0 KiB (4 times the repository limit, history included)"), message);
    }

    @Test
    void testHandlerEscapingTheRepository() throws Exception {
        String commit = repo.write("stack.yml", STACK.replace("./hello", "../../")).commit("escape");
        StackInvalidException e = (StackInvalidException) refused(commit, b -> { });
        assertEquals("stack.yml:5:14: handler: path '../../' escapes the repository", e.getMessage());
    }

    @Test
    void testThousandFunctionsIsALimitErrorWithoutBuilds() throws Exception {
        StringBuilder stack = new StringBuilder("version: 1.0\nfunctions:\n");
        for (int i = 0; i < 1000; i++) {
            stack.append("  f").append(i).append(":\n    lang: python3\n    handler: ./hello\n");
        }
        String commit = repo.write("stack.yml", stack.toString()).commit("a thousand");
        long start = System.nanoTime();
        BuildException e = refused(commit, b -> { });
        assertEquals("stack.yml:3:3: stack file has 1000 functions, the limit is 50", e.getMessage());
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }

    @Test
    void testUnknownCommit() throws Exception {
        repo.commit("one");
        assertEquals("commit " + "ab".repeat(20) + " is not in the repository", refused("ab".repeat(20), b -> { }).getMessage());
    }

    @Test
    void testCheckoutTimeLimit() throws Exception {
        String commit = repo.commit("one");
        assertEquals("checkout took longer than the limit of 1 ms", refused(commit, b -> b.checkoutTimeout(Duration.ofMillis(1))).getMessage());
    }

    @Test
    void testTokenNeverAppearsInErrors() throws Exception {
        RepoSource source = new RepoSource("https://127.0.0.1:9/alice/private.git", Optional.of("ghs_supersecrettoken"));
        BuildException e = refused(source, "cd".repeat(20), b -> b.checkoutTimeout(Duration.ofSeconds(20)));
        assertFalse(e.getMessage().contains("ghs_supersecrettoken"), e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot fetch https://127.0.0.1:9/alice/private.git"), e.getMessage());
    }
}
