package dev.driftless.templates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of one folder shipped in this module (a template's resource folder, or the compiled
 * Java entrypoint), read once into memory in path order. Works from a directory of classes (tests)
 * and from the jar (the daemon), because class loaders cannot list folders.
 *
 * @param files relative path ({@code /}-separated) to content
 */
record TemplateFiles(SortedMap<String, byte[]> files) {

    TemplateFiles {
        files = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    static TemplateFiles load(String folder) {
        URL anchor = TemplateFiles.class.getResource("TemplateFiles.class");
        if (anchor == null) {
            throw new IllegalStateException("cannot locate the function-templates classes");
        }
        try {
            if ("jar".equals(anchor.getProtocol())) {
                String jarUri = anchor.getPath().substring(0, anchor.getPath().indexOf("!/"));
                try (FileSystem fs = FileSystems.newFileSystem(Path.of(new java.net.URI(jarUri)), (ClassLoader) null)) {
                    return read(fs.getPath("/" + folder));
                }
            }
            Path classes = Path.of(anchor.toURI()).getParent().getParent().getParent().getParent();
            return read(classes.resolve(folder));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TemplateFiles read(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("template folder missing from the function-templates jar: " + root);
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return new TemplateFiles(files);
    }

    /** The files below {@code prefix/}, with the prefix removed. */
    TemplateFiles under(String prefix) {
        SortedMap<String, byte[]> sub = new TreeMap<>();
        files.forEach((path, bytes) -> {
            if (path.startsWith(prefix + "/")) {
                sub.put(path.substring(prefix.length() + 1), bytes);
            }
        });
        return new TemplateFiles(sub);
    }

    byte[] get(String path) {
        byte[] bytes = files.get(path);
        if (bytes == null) {
            throw new IllegalStateException("template file missing: " + path);
        }
        return bytes;
    }

    void writeTo(Path target) throws IOException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path out = target.resolve(file.getKey());
            Files.createDirectories(out.getParent());
            Files.write(out, file.getValue());
        }
    }

    /** A hash of every path and content, so any change to a template's files changes its version. */
    String hash(String salt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            files.forEach((path, bytes) -> {
                digest.update((byte) 0);
                digest.update(path.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(bytes);
            });
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
