package dev.driftless.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the local runtime finds the values of the secrets a function names in {@code stack.yml}. The runtime
 * shows them to the function as files under {@code /var/openfaas/secrets/<name>}, as OpenFaaS does.
 */
@FunctionalInterface
public interface SecretValues {
    /** A secret name: letters, digits, {@code . _ -}, not starting with a dot (it becomes a file name). */
    Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,252}");

    /** The secret's value, or empty when the owner has no secret of that name. */
    Optional<byte[]> read(String owner, String name) throws IOException;

    /** No secrets at all: a function that names one fails to deploy with {@code SecretNotFound}. */
    static SecretValues none() {
        return (owner, name) -> Optional.empty();
    }

    /** One file per secret at {@code <folder>/<owner>/<name>} (a regular file; symlinks are not followed). */
    static SecretValues folder(Path folder) {
        return (owner, name) -> {
            if (!NAME.matcher(owner).matches() || !NAME.matcher(name).matches()) {
                return Optional.empty();
            }
            Path file = folder.resolve(owner).resolve(name);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            return Optional.of(Files.readAllBytes(file));
        };
    }
}
