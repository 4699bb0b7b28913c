package dev.driftless.builder;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Refuses repositories that could hurt the daemon: too many files, too many bytes, symlinks that point
 * outside the workspace. Checked twice: on the commit's tree before anything is written, and on the
 * files after checkout (symlinks are inspected, never followed).
 */
final class RepoGuard {
    private final long maxBytes;
    private final int maxFiles;

    RepoGuard(long maxBytes, int maxFiles) {
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
    }

    /** Checks the commit's tree from the object database: nothing is on disk yet. */
    void checkTree(Repository repo, ObjectId commit) throws BuildException, IOException {
        long files = 0;
        long bytes = 0;
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader(); TreeWalk tree = new TreeWalk(reader)) {
            RevCommit c = walk.parseCommit(commit);
            tree.addTree(c.getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                FileMode mode = tree.getFileMode(0);
                if (mode == FileMode.GITLINK) {
                    continue; // submodules are not fetched
                }
                files++;
                long size = reader.getObjectSize(tree.getObjectId(0), Constants.OBJ_BLOB);
                bytes += size;
                if (mode == FileMode.SYMLINK) {
                    if (size > 4096) {
                        throw new BuildException("symlink " + tree.getPathString() + " is not a plain link");
                    }
                    String target = new String(reader.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
                    checkLink(tree.getPathString(), target);
                }
            }
        }
        checkCounts(files, bytes);
    }

    /** Walks the checked-out files (not {@code .git}); every symlink must stay inside {@code root}. */
    void checkFiles(Path root) throws BuildException, IOException {
        Path top = root.toAbsolutePath().normalize();
        long[] counts = new long[2];
        BuildException[] refused = new BuildException[1];
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(top.resolve(".git")) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                counts[0]++;
                if (attrs.isSymbolicLink()) {
                    Path target = Files.readSymbolicLink(file);
                    Path resolved = file.getParent().resolve(target).normalize();
                    if (target.isAbsolute() || !resolved.startsWith(top) || resolved.startsWith(top.resolve(".git"))) {
                        refused[0] = new BuildException("symlink " + top.relativize(file) + " points outside the repository ("
                                + target + "); links must stay inside it");
                        return FileVisitResult.TERMINATE;
                    }
                } else {
                    counts[1] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (refused[0] != null) {
            throw refused[0];
        }
        checkCounts(counts[0], counts[1]);
    }

    private void checkLink(String path, String target) throws BuildException {
        Path base = Paths.get("/repo");
        Path link = base.resolve(path);
        Path resolved = link.getParent().resolve(target).normalize();
        if (target.startsWith("/") || !resolved.startsWith(base) || resolved.startsWith(base.resolve(".git"))) {
            throw new BuildException("symlink " + path + " points outside the repository (" + target + "); links must stay inside it");
        }
    }

    private void checkCounts(long files, long bytes) throws BuildException {
        if (files > maxFiles) {
            throw new BuildException("repository has " + files + " files, the limit is " + maxFiles);
        }
        if (bytes > maxBytes) {
            throw new BuildException("repository is " + size(bytes) + ", the limit is " + size(maxBytes));
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " bytes";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
