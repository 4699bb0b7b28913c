package dev.driftless.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** Paths that stack.yml names (handler, environment_file, copy), kept inside the repository. */
final class RepoPaths {
    private RepoPaths() { }

    /**
     * Normalizes a repository-relative path ({@code ./kubecon} → {@code kubecon}, {@code .} → empty), or
     * says why it is refused: absolute, or climbing out with {@code ..}.
     */
    static Result normalize(String raw) {
        if (raw == null || raw.isBlank()) {
            return Result.refused("path is empty");
        }
        if (raw.startsWith("/") || raw.startsWith("\\") || raw.matches("^[A-Za-z]:.*") || raw.startsWith("~")) {
            return Result.refused("path '" + raw + "' is absolute; it must be inside the repository");
        }
        if (raw.indexOf('\0') >= 0 || raw.contains("\\")) {
            return Result.refused("path '" + raw + "' has characters that are not allowed");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return Result.refused("path '" + raw + "' escapes the repository");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return new Result(Optional.of(String.join("/", parts)), null);
    }

    /**
     * The real location of a normalized relative path, only when it exists and stays inside {@code root}
     * after symlinks are resolved (a link inside the repository to elsewhere in it is fine).
     */
    static Optional<Path> existingInside(Path realRoot, String relative) throws IOException {
        Path candidate = relative.isEmpty() ? realRoot : realRoot.resolve(relative);
        if (!Files.exists(candidate)) {
            return Optional.empty();
        }
        Path real = candidate.toRealPath();
        if (!real.startsWith(realRoot)) {
            throw new IOException("path '" + relative + "' resolves outside the repository");
        }
        return Optional.of(real);
    }

    record Result(Optional<String> path, String refusal) {
        static Result refused(String why) {
            return new Result(Optional.empty(), why);
        }
    }
}
