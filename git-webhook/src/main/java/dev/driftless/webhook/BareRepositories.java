package dev.driftless.webhook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/** The bare repositories of the built-in endpoint: {@code <root>/<owner>/<repository>.git}. */
final class BareRepositories {
    static final String INITIAL_BRANCH = "main";

    private final Path root;
    private final Object creation = new Object();

    BareRepositories(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The folder of a repository; owner and name must already be validated ({@link GitRequest}). */
    Path folder(String owner, String repository) {
        Path folder = root.resolve(owner).resolve(repository + ".git").normalize();
        if (!folder.startsWith(root) || folder.getNameCount() != root.getNameCount() + 2) {
            throw new IllegalArgumentException("repository path escapes the repositories root: " + owner + "/" + repository);
        }
        return folder;
    }

    Optional<Repository> openExisting(String owner, String repository) throws IOException {
        Path folder = folder(owner, repository);
        if (!Files.isRegularFile(folder.resolve("HEAD"))) {
            return Optional.empty();
        }
        return Optional.of(new FileRepositoryBuilder().setGitDir(folder.toFile()).setMustExist(true).build());
    }

    /** Opens the repository, creating it bare with HEAD on {@code refs/heads/main} when it does not exist. */
    Repository openOrCreate(String owner, String repository) throws IOException {
        synchronized (creation) {
            Optional<Repository> existing = openExisting(owner, repository);
            if (existing.isPresent()) {
                return existing.get();
            }
            Path folder = folder(owner, repository);
            Files.createDirectories(folder.getParent());
            try (Git created = Git.init().setBare(true).setDirectory(folder.toFile()).setInitialBranch(INITIAL_BRANCH).call()) {
                // HEAD now points at refs/heads/main, so a clone checks out what the first push sent there.
            } catch (GitAPIException e) {
                throw new IOException("could not create " + owner + "/" + repository + ": " + e.getMessage(), e);
            }
            return new FileRepositoryBuilder().setGitDir(folder.toFile()).setMustExist(true).build();
        }
    }
}
