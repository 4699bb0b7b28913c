package dev.driftless.reconciler.app;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A job for a repository that another replica's built-in git endpoint holds is handed back, not failed. */
class ReconcileJobsTest {
    @TempDir
    Path temp;

    @Test
    void aBuiltInRepositoryOnlyThisReplicaLacksIsDeferred() throws Exception {
        Path work = temp.resolve("work");
        String commit;
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("stack.yml"), "version: 1.0\n");
            git.add().addFilepattern(".").call();
            commit = git.commit().setMessage("first").setSign(false).call().getName();
        }
        Path here = work.resolve(".git");

        assertEquals(Optional.empty(), ReconcileJobs.onAnotherReplica(builtIn(here), Optional.of(commit)),
                "this replica holds the repository and the commit");
        assertEquals(Optional.empty(), ReconcileJobs.onAnotherReplica(builtIn(here), Optional.empty()));
        Optional<String> missing = ReconcileJobs.onAnotherReplica(builtIn(temp.resolve("elsewhere.git")), Optional.of(commit));
        assertTrue(missing.orElseThrow().contains("pushed to the built-in git endpoint of another replica"), missing.toString());
        assertTrue(ReconcileJobs.onAnotherReplica(builtIn(here), Optional.of("f".repeat(40))).isPresent(),
                "an older copy without the pushed commit is not the holder either");
        assertEquals(Optional.empty(), ReconcileJobs.onAnotherReplica(new TrackedRepositories.Tracked("alice", "fns",
                "github", "https://github.com/alice/fns.git", Optional.of("main"), Optional.of(1L), true, false),
                Optional.of(commit)), "GitHub repositories are cloned by whichever replica builds them");
    }

    private static TrackedRepositories.Tracked builtIn(Path folder) {
        return new TrackedRepositories.Tracked("alice", "fns", "git", folder.toString(), Optional.of("main"),
                Optional.empty(), true, false);
    }
}
