package dev.driftless.builder;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A fresh folder for one build under the work root: the checkout in {@code repo/}, one folder per
 * function for its template. {@link #close()} removes it all, never following symlinks out of it.
 */
final class Workspace implements AutoCloseable {
    private final Path root;

    private Workspace(Path root) {
        this.root = root;
    }

    static Workspace create(Path workRoot) throws IOException {
        Files.createDirectories(workRoot);
        return new Workspace(Files.createTempDirectory(workRoot, "build-").toRealPath());
    }

    Path root() {
        return root;
    }

    Path repo() {
        return root.resolve("repo");
    }

    /** An empty folder for one function's build. */
    Path functionDir(String function, String purpose) throws IOException {
        return Files.createDirectories(root.resolve("fn").resolve(function).resolve(purpose));
    }

    /** Removes one function's folders; a failure here is left for {@link #close()}. */
    void removeFunction(String function) {
        try {
            deleteTree(root.resolve("fn").resolve(function));
        } catch (IOException ignored) {
            // close() removes the whole workspace anyway
        }
    }

    @Override
    public void close() throws IOException {
        deleteTree(root);
    }

    /** Deletes a tree; symlinks are deleted themselves, their targets are never visited. */
    static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                dir.toFile().setWritable(true, true); // tools may leave read-only folders behind
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path p) throws IOException {
        try {
            Files.delete(p);
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }
}
