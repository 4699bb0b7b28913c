package dev.driftless.templates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** File tree helpers for laying out layers: copies that skip symlinks and named folders, sorted listings. */
final class Trees {
    private Trees() {
    }

    /** Regular files under {@code root}, sorted, symlinks not followed, skipping folders named in {@code skipDirs}. */
    static List<Path> files(Path root, Set<String> skipDirs) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !insideSkipped(root, p, skipDirs))
                    .sorted()
                    .toList();
        }
    }

    private static boolean insideSkipped(Path root, Path file, Set<String> skipDirs) {
        Path relative = root.relativize(file);
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            if (skipDirs.contains(relative.getName(i).toString())) {
                return true;
            }
        }
        return false;
    }

    /** Copies the regular files of {@code from} into {@code to} (which may exist), keeping relative paths. */
    static void copy(Path from, Path to, Set<String> skipDirs, Predicate<Path> skipFile) throws IOException {
        for (Path file : files(from, skipDirs)) {
            if (skipFile.test(file)) {
                continue;
            }
            Path target = to.resolve(from.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a folder and everything in it (children first; symbolic links are removed, not followed). */
    static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
