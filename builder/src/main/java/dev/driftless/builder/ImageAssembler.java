package dev.driftless.builder;

import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import dev.driftless.templates.ImageLayer;
import dev.driftless.templates.TemplateBuild;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Lays a template's output over a base as a Jib container: base, then the template's layers in their
 * order (runtime, dependencies, function code), so a handler-only change is one new small layer.
 * Reproducible: entries sorted, every file time at Jib's default (epoch + 1 s), permissions 644/755,
 * owned by root (the code is read-only to the user {@code 10001} that runs it), creation time at the epoch.
 */
final class ImageAssembler {
    static final String FORMAT_VERSION = "image-format-1"; // part of the cache key: bump when this class changes the image
    static final String USER = "10001:10001";
    static final int PORT = 8080;
    static final Instant FILE_TIME = Instant.ofEpochSecond(1);
    private static final FilePermissions DIR = FilePermissions.fromOctalString("755");
    private static final FilePermissions FILE = FilePermissions.fromOctalString("644");
    private static final FilePermissions EXEC = FilePermissions.fromOctalString("755");

    /** The labels every image carries. */
    static Map<String, String> labels(String sourceUrl, String commit, String owner, String repository, String function) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.source", sourceUrl);
        labels.put("org.opencontainers.image.revision", commit);
        labels.put("dev.driftless.owner", owner);
        labels.put("dev.driftless.repository", repository);
        labels.put("dev.driftless.function", function);
        return labels;
    }

    JibContainerBuilder assemble(BaseImage base, TemplateBuild build, Map<String, String> labels, Consumer<String> log) throws IOException {
        JibContainerBuilder container = base.start();
        for (ImageLayer layer : build.layers()) {
            FileEntriesLayer entries = layer(layer, log);
            if (entries.getEntries().isEmpty()) {
                log.accept("layer " + layer.name() + " is empty");
            }
            container.addFileEntriesLayer(entries);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", String.valueOf(PORT)); // the runtime may override it per instance
        env.putAll(build.environment());
        container.setEntrypoint(build.entrypoint())
                .setProgramArguments(List.of())
                .setEnvironment(env)
                .setWorkingDirectory(AbsoluteUnixPath.get(build.workingDirectory()))
                .setUser(USER)
                .setExposedPorts(Port.tcp(PORT))
                .setLabels(labels)
                .setCreationTime(Instant.EPOCH)
                .setFormat(ImageFormat.OCI);
        return container;
    }

    /** Every file and folder under the layer's source, in sorted order; symlinks are followed only inside it. */
    static FileEntriesLayer layer(ImageLayer layer, Consumer<String> log) throws IOException {
        FileEntriesLayer.Builder builder = FileEntriesLayer.builder().setName(layer.name());
        Path source = layer.sourceDir();
        if (!Files.isDirectory(source)) {
            return builder.build();
        }
        Path realSource = source.toRealPath();
        AbsoluteUnixPath target = AbsoluteUnixPath.get(layer.pathInImage());
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = new ArrayList<>(walk.filter(p -> !p.equals(source)).sorted().toList());
        }
        for (Path p : paths) {
            String rel = source.relativize(p).toString().replace('\\', '/');
            AbsoluteUnixPath into = target.resolve(rel);
            if (Files.isSymbolicLink(p)) {
                Path real;
                try {
                    real = p.toRealPath();
                } catch (IOException dangling) {
                    log.accept("skipped dangling symlink " + rel);
                    continue;
                }
                if (!real.startsWith(realSource) || !Files.isRegularFile(real)) {
                    log.accept("skipped symlink " + rel + " (only links to files inside the layer are kept, as copies)");
                    continue;
                }
                builder.addEntry(new FileEntry(real, into, permissions(real), FILE_TIME));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                builder.addEntry(new FileEntry(p, into, DIR, FILE_TIME));
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                builder.addEntry(new FileEntry(p, into, permissions(p), FILE_TIME));
            }
        }
        return builder.build();
    }

    /** From the owner's execute bit, not from who runs the daemon (root may execute anything). */
    private static FilePermissions permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE) ? EXEC : FILE;
        } catch (UnsupportedOperationException e) {
            return FILE;
        }
    }
}
