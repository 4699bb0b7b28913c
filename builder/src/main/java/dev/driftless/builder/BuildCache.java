package dev.driftless.builder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which image a set of build inputs produced: one small file per key under {@code <cache>/index/},
 * written atomically. The key is a hash of every input that goes into the image, so an entry is never
 * stale; the caller still checks that the image exists in the target before reusing it.
 */
final class BuildCache {
    static final String VERSION = "driftless-build-cache-1";
    private final Path index;

    BuildCache(Path cacheRoot) {
        this.index = cacheRoot.resolve("index");
    }

    /** The inputs of one function's image, hashed in a fixed order. */
    static String key(Map<String, String> inputs) {
        StringBuilder text = new StringBuilder(VERSION).append('\n');
        new TreeMap<>(inputs).forEach((k, v) -> text.append(k).append('=').append(v.replace("\n", "\\n")).append('\n'));
        return HexFormat.of().formatHex(OciJson.digester().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    Optional<ImageRef> lookup(String key) throws IOException {
        Path file = file(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ImageRef.parse(Files.readString(file, StandardCharsets.UTF_8).trim()));
        } catch (IllegalArgumentException corrupt) {
            return Optional.empty();
        }
    }

    void store(String key, ImageRef image) throws IOException {
        Path file = file(key);
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), key.substring(0, 8), ".tmp");
        Files.writeString(tmp, image + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path file(String key) {
        if (!key.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a cache key: " + key);
        }
        return index.resolve(key.substring(0, 2)).resolve(key);
    }
}
