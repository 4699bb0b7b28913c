package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code DRIFTLESS_TRACKED_BRANCH} set, the branch that is deployed is the protected one on the built-in
 * git endpoint: the system git's force push and deletion of it are refused, other branches are free.
 */
class TrackedBranchProtectionTest {
    @TempDir
    Path dir;
    Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void forcePushesAndDeletionOfTheTrackedBranchAreRefused() throws Exception {
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_TRACKED_BRANCH", "prod",
                "DRIFTLESS_WORKERS", "0")).load(Optional.empty());
        daemon = Daemon.start(config, List.of(new FunctionsModule()));
        String token = daemon.context().tokens().create("alice");
        String remote = "http://127.0.0.1:" + daemon.httpPort() + "/git/alice/fns.git";
        Path repo = Files.createDirectories(dir.resolve("fns"));
        E2e.git(repo, token, "init", "-q", "-b", "prod");
        commit(repo, token, "one");
        commit(repo, token, "two");
        E2e.git(repo, token, "push", "-q", remote, "prod");
        E2e.git(repo, token, "push", "-q", remote, "prod:scratch");

        E2e.git(repo, token, "reset", "-q", "--hard", "HEAD~1");
        commit(repo, token, "rewritten");
        IOException forced = assertThrows(IOException.class, () -> E2e.git(repo, token, "push", "-f", remote, "prod"));
        assertTrue(forced.getMessage().contains("non-fast-forward push to protected branch prod"), forced.getMessage());
        IOException deleted = assertThrows(IOException.class, () -> E2e.git(repo, token, "push", remote, ":prod"));
        assertTrue(deleted.getMessage().contains("deleting protected branch prod is refused"), deleted.getMessage());

        // Branches that are not deployed may be rewritten and deleted.
        E2e.git(repo, token, "push", "-q", "-f", remote, "prod:scratch");
        E2e.git(repo, token, "push", "-q", remote, ":scratch");
    }

    private static void commit(Path repo, String token, String message) throws Exception {
        Files.writeString(repo.resolve("notes.txt"), message + "\n");
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", message);
    }
}
