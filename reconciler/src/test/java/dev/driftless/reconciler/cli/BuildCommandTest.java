package dev.driftless.reconciler.cli;

import dev.driftless.templates.Templates;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code driftless build}: a real git folder, the real python3 template (host python3) and local image store. */
class BuildCommandTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    ExitCode run(Map<String, String> env, String... args) throws Exception {
        return new BuildCommand(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(args));
    }

    Path repository() throws Exception {
        Path repo = dir.resolve("My_Functions");
        Templates.builtIn().writeSample("python3", repo.resolve("hello"));
        Files.writeString(repo.resolve("stack.yml"), """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                """);
        commit(repo, "python3 sample");
        return repo;
    }

    static void commit(Path repo, String message) throws Exception {
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage(message).setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
    }

    @Test
    void buildsTheHeadCommitIntoTheLocalImageStoreOfTheDataFolder() throws Exception {
        Path repo = repository();
        Path data = dir.resolve("data");
        assertEquals(ExitCode.OK, run(Map.of("DRIFTLESS_DATA", data.toString()), repo.toString()), out + "\n" + err);
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("[hello]"), log);
        assertTrue(log.matches("(?s).*hello: built local/local/my-functions/hello@sha256:[0-9a-f]{64}\n.*"), log);
        assertTrue(log.contains("build ok: local/my-functions at "), log);
        String digest = log.replaceAll("(?s).*hello: built \\S+@sha256:([0-9a-f]{64}).*", "$1");
        assertTrue(Files.isRegularFile(data.resolve("images/blobs/sha256").resolve(digest)), "manifest in the store");
        assertTrue(Files.readString(data.resolve("images/index.json")).contains("sha256:" + digest));
    }

    @Test
    void aFailingUnitTestFailsTheBuildWithItsOutput() throws Exception {
        Path repo = repository();
        Path handler = repo.resolve("hello/handler.py");
        Files.writeString(handler, Files.readString(handler).replace("Hello, %s!", "Goodbye, %s!"));
        commit(repo, "break the greeting");
        assertEquals(ExitCode.RUNTIME_FAILURE, run(Map.of(), repo.toString(), "--data", dir.resolve("data").toString()));
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("Goodbye, Driftless!"), "the failing assertion is in the log: " + log);
        assertTrue(log.contains("hello: failed ("), log);
        assertTrue(log.contains("build failed: local/my-functions"), log);
    }

    @Test
    void anInvalidStackIsAFailureNamingTheProblem() throws Exception {
        Path repo = dir.resolve("bad");
        Files.createDirectories(repo);
        Files.writeString(repo.resolve("stack.yml"), "functions:\n  hello:\n    lang: cobol\n    handler: ./hello\n");
        commit(repo, "unknown lang");
        assertEquals(ExitCode.RUNTIME_FAILURE, run(Map.of(), repo.toString(), "--data", dir.resolve("data").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cobol"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrors() throws Exception {
        assertEquals(ExitCode.OK, run(Map.of(), "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: driftless build FOLDER"));
        assertThrows(UsageException.class, () -> run(Map.of("DRIFTLESS_DATA", dir.toString())));
        assertThrows(UsageException.class, () -> run(Map.of(), dir.toString()));
        assertThrows(UsageException.class, () -> run(Map.of("DRIFTLESS_DATA", dir.toString()), dir.resolve("missing").toString()));
        assertThrows(UsageException.class, () -> run(Map.of("DRIFTLESS_DATA", dir.toString()), dir.toString(), "--owner", "Bad Owner"));
        assertEquals(ExitCode.USAGE, run(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString()), dir.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is not a git repository"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void repositoryNamesAreDnsSafe() {
        assertEquals("my-functions", BuildCommand.repositoryName(Path.of("/x/My_Functions")));
        assertEquals("repository", BuildCommand.repositoryName(Path.of("/x/__")));
    }
}
