package dev.driftless.runtime.local;

import dev.driftless.builder.ImageContents;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks an image's layers, in order, into one root folder per image digest
 * ({@code <roots>/sha256-<hex>/}), reused when it exists. Extraction happens in a temporary folder that is
 * renamed into place at the end, so a half-unpacked root is never used. Entries that would land outside the
 * root (absolute or {@code ..} names, writes through symlinks, links pointing out) are refused, and links are
 * never followed while extracting. OCI whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq}) delete what lower
 * layers put there.
 */
final class ImageUnpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path roots;
    private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();

    ImageUnpacker(Path roots) {
        this.roots = roots;
    }

    /** The unpacked root of {@code image}, unpacking it first if needed. Safe to call concurrently. */
    Path unpack(ImageContents image) throws IOException {
        String digest = image.ref().digest();
        Path target = roots.resolve(digest.replace(':', '-'));
        synchronized (locks.computeIfAbsent(digest, d -> new Object())) {
            if (Files.isDirectory(target, NOFOLLOW)) {
                return target;
            }
            Files.createDirectories(roots);
            Path temp = Files.createTempDirectory(roots, ".unpacking-");
            try {
                for (ImageContents.Layer layer : image.layers()) {
                    extractLayer(layer, temp);
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                    throw new IOException("cannot move unpacked image into " + target, e);
                }
                return target;
            } finally {
                deleteTree(temp);
            }
        }
    }

    /** Deletes temporary folders that an unpack interrupted by a crash left behind; call before any unpack. */
    void deleteLeftovers() throws IOException {
        if (!Files.isDirectory(roots, NOFOLLOW)) {
            return;
        }
        try (Stream<Path> list = Files.list(roots)) {
            for (Path p : list.filter(p -> p.getFileName().toString().startsWith(".unpacking-")).toList()) {
                deleteTree(p);
            }
        }
    }

    /** The unpacked roots now on disk (not the temporary folders of unpacks in progress). */
    List<Path> roots() throws IOException {
        if (!Files.isDirectory(roots, NOFOLLOW)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(roots)) {
            return list.filter(p -> p.getFileName().toString().startsWith("sha256-")).toList();
        }
    }

    private void extractLayer(ImageContents.Layer layer, Path root) throws IOException {
        MessageDigest sha256 = sha256();
        try (InputStream raw = layer.open();
             DigestInputStream counted = new DigestInputStream(raw, sha256);
             InputStream tar = decompress(new BufferedInputStream(counted, 1 << 16))) {
            TarArchiveInputStream reader = new TarArchiveInputStream(tar, StandardCharsets.UTF_8.name());
            Set<Path> writtenHere = new HashSet<>();
            for (TarArchiveEntry entry = reader.getNextEntry(); entry != null; entry = reader.getNextEntry()) {
                extractEntry(reader, entry, root, writtenHere);
            }
            counted.transferTo(OutputStream.nullOutputStream()); // hash trailing bytes (gzip padding)
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(layer.digest())) {
            throw new IOException("layer " + layer.digest() + " has content with digest " + actual);
        }
    }

    /**
     * Writes one entry under the root. Only directories, regular files and links are made; the checks on
     * names and link targets are ours, whatever commons-compress accepts (PAX and GNU long names included).
     */
    private void extractEntry(TarArchiveInputStream reader, TarArchiveEntry entry, Path root, Set<Path> writtenHere)
            throws IOException {
        String relative = relativeName(entry.getName());
        if (relative.isEmpty()) {
            return; // the archive's own "./"
        }
        Path path = root.resolve(relative).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IOException("layer entry escapes the image root: " + entry.getName());
        }
        Path parent = path.getParent();
        String fileName = path.getFileName().toString();
        if (fileName.equals(OPAQUE)) {
            requireRealDirectories(root, parent);
            clearLowerLayers(parent, writtenHere);
            return;
        }
        if (fileName.startsWith(WHITEOUT)) {
            requireRealDirectories(root, parent);
            deleteTree(parent.resolve(fileName.substring(WHITEOUT.length())));
            return;
        }
        createDirectories(root, parent);
        // Links first: commons-compress's isFile() is true for anything that is not a directory.
        if (entry.isSymbolicLink()) {
            requireLinkInside(root, parent, entry);
            deleteTree(path);
            Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
            Path existing = root.resolve(relativeName(entry.getLinkName())).normalize();
            if (!existing.startsWith(root) || !Files.isRegularFile(existing, NOFOLLOW)) {
                throw new IOException("hard link " + entry.getName() + " points outside the image or at no file: "
                        + entry.getLinkName());
            }
            deleteTree(path);
            Files.createLink(path, existing);
        } else if (entry.isDirectory()) {
            if (!Files.isDirectory(path, NOFOLLOW)) {
                deleteTree(path);
                Files.createDirectory(path);
            }
            setMode(path, entry.getMode() | 0700);
        } else if (isRegularFile(entry)) {
            deleteTree(path);
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                reader.transferTo(out); // the stream ends at the end of this entry's content
            }
            setMode(path, entry.getMode());
        } else {
            return; // devices and fifos have no place in a function's root
        }
        writtenHere.add(path);
    }

    /** Type {@code 0}, the old {@code NUL} and contiguous {@code 7}; not devices, fifos or GNU sparse files. */
    private static boolean isRegularFile(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM || flag == TarConstants.LF_CONTIG;
    }

    /** Strips {@code ./}; refuses absolute names and {@code ..} segments outright. */
    private static String relativeName(String name) throws IOException {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.equals(".")) {
            return "";
        }
        if (n.startsWith("/")) {
            throw new IOException("layer entry has an absolute name: " + name);
        }
        for (String segment : n.split("/")) {
            if (segment.equals("..")) {
                throw new IOException("layer entry has a '..' segment: " + name);
            }
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    /** A symlink may point anywhere inside the root (absolute targets are resolved in the sandbox), never above it. */
    private static void requireLinkInside(Path root, Path parent, TarArchiveEntry entry) throws IOException {
        String target = entry.getLinkName();
        if (target.isEmpty()) {
            throw new IOException("symlink without target: " + entry.getName());
        }
        Path resolved = target.startsWith("/")
                ? root.resolve(target.substring(1)).normalize()
                : parent.resolve(target).normalize();
        if (!resolved.startsWith(root) || climbsAboveRoot(root, parent, target)) {
            throw new IOException("symlink escapes the image root: " + entry.getName() + " -> " + target);
        }
    }

    /** normalize() would hide "/a/../../x" climbing above the root and coming back down: count the depth. */
    private static boolean climbsAboveRoot(Path root, Path parent, String target) {
        int depth = target.startsWith("/") ? 0 : root.relativize(parent).getNameCount();
        if (!target.startsWith("/") && root.equals(parent)) {
            depth = 0;
        }
        for (String segment : target.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            depth += segment.equals("..") ? -1 : 1;
            if (depth < 0) {
                return true;
            }
        }
        return false;
    }

    /** Creates missing parents, refusing any existing parent that is not a real directory (a symlink, say). */
    private static void createDirectories(Path root, Path directory) throws IOException {
        Path current = root;
        for (Path segment : root.relativize(directory)) {
            current = current.resolve(segment);
            if (Files.isSymbolicLink(current)) {
                throw new IOException("layer writes through a symlink: " + root.relativize(current));
            }
            if (!Files.exists(current, NOFOLLOW)) {
                Files.createDirectory(current);
            } else if (!Files.isDirectory(current, NOFOLLOW)) {
                throw new IOException("layer writes under a file: " + root.relativize(current));
            }
        }
    }

    private static void requireRealDirectories(Path root, Path directory) throws IOException {
        Path current = root;
        for (Path segment : root.relativize(directory)) {
            current = current.resolve(segment);
            if (Files.isSymbolicLink(current)) {
                throw new IOException("whiteout through a symlink: " + root.relativize(current));
            }
        }
    }

    private static void clearLowerLayers(Path directory, Set<Path> writtenHere) throws IOException {
        if (!Files.isDirectory(directory, NOFOLLOW)) {
            return;
        }
        List<Path> children;
        try (Stream<Path> list = Files.list(directory)) {
            children = list.toList();
        }
        for (Path child : children) {
            if (!writtenHere.contains(child)) {
                deleteTree(child);
            }
        }
    }

    private static void setMode(Path path, int mode) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                permissions.add(order[bit]);
            }
        }
        // setuid/setgid/sticky are dropped: nothing in a function's root needs them.
        Files.setPosixFilePermissions(path, permissions);
    }

    private static InputStream decompress(BufferedInputStream in) throws IOException {
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        if (first == 0x1f && second == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        if (first == 0x28 && second == 0xb5) {
            throw new IOException("zstd layers are not supported by the local runtime");
        }
        return in;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a file, a symlink (not its target) or a folder tree. */
    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, NOFOLLOW)) {
            return;
        }
        if (Files.isDirectory(path, NOFOLLOW)) {
            path.toFile().setWritable(true, true);
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (Files.isDirectory(p, NOFOLLOW)) {
                        p.toFile().setWritable(true, true);
                    }
                    Files.delete(p);
                }
            }
        } else {
            Files.delete(path);
        }
    }
}
