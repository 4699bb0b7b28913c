package dev.driftless.builder;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder a template builds from: a copy of the handler plus {@code configuration.copy} folders
 * (as faas-cli puts them into the build context), so templates never write into the checkout. Links
 * (already checked to stay in the repository) become copies of the files they point to.
 */
final class HandlerStage {
    private HandlerStage() { }

    static void copyTree(Path from, Path to, Path realRepo) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getFileName() != null && dir.getFileName().toString().equals(".git")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Path real = file.toRealPath();
                    if (Files.isRegularFile(real) && real.startsWith(realRepo)) {
                        Files.copy(real, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A content hash of a tree: paths, kinds, execute bits and file contents, in sorted order. */
    static String treeHash(Path root) throws IOException {
        MessageDigest md = OciJson.digester();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = new ArrayList<>(walk.sorted().toList());
        }
        byte[] buffer = new byte[64 * 1024];
        for (Path p : paths) {
            String rel = root.relativize(p).toString().replace('\\', '/');
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                md.update(("d " + rel + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                continue;
            }
            boolean exec = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)
                    .contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
            md.update(("f " + rel + (exec ? " x" : "") + " " + Files.size(p) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (var in = Files.newInputStream(p)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    md.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
