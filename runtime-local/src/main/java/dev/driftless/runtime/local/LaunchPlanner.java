package dev.driftless.runtime.local;

import dev.driftless.builder.ImageContents;
import dev.driftless.runtime.FunctionDeployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns an image and a deployment into a {@link Launch}: the image config's entrypoint, env, user and
 * working folder, the stack's environment on top, and the function's secrets written to a private folder.
 */
final class LaunchPlanner {
    /** The user a function runs as when its image names none, or names root: never root in the sandbox. */
    static final int DEFAULT_ID = 10001;

    private final Path secretsRoot;
    private final SecretValues secrets;

    LaunchPlanner(Path secretsRoot, SecretValues secrets) {
        this.secretsRoot = secretsRoot;
        this.secrets = secrets;
    }

    Launch plan(ImageContents image, Path root, FunctionDeployment deployment) throws DeployFailure, IOException {
        String name = deployment.owner() + "/" + deployment.function();
        Map<String, String> env = new LinkedHashMap<>(image.environment());
        env.putAll(deployment.environment());
        env.remove("PORT"); // the runtime owns PORT
        int[] ids = user(image.user(), root);
        if (!env.containsKey("HOME")) {
            env.put("HOME", home(ids[0], root)); // as container engines do, from the image's passwd
        }
        String workdir = image.workingDirectory() == null || image.workingDirectory().isBlank()
                ? "/" : image.workingDirectory();
        if (!workdir.startsWith("/")) {
            workdir = "/" + workdir;
        }
        Optional<Path> secretFolder = writeSecrets(deployment);
        return new Launch(name, root, image.entrypoint(), env, workdir, ids[0], ids[1], secretFolder,
                deployment.resources());
    }

    /** Deletes the secrets folder of a launch that no instance uses any more. */
    static void discard(Launch launch) {
        launch.secrets().ifPresent(folder -> {
            try {
                ImageUnpacker.deleteTree(folder);
            } catch (IOException e) {
                // Left for the next start's cleanup of the secrets root.
            }
        });
    }

    private Optional<Path> writeSecrets(FunctionDeployment deployment) throws DeployFailure, IOException {
        if (deployment.secrets().isEmpty()) {
            return Optional.empty();
        }
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (String secret : deployment.secrets()) {
            if (!SecretValues.NAME.matcher(secret).matches()) {
                throw new DeployFailure("SecretNotFound", "secret name is not valid: " + secret);
            }
            Optional<byte[]> value = secrets.read(deployment.owner(), secret);
            if (value.isEmpty()) {
                throw new DeployFailure("SecretNotFound", "secret " + secret + " of " + deployment.owner()
                        + " does not exist; create it before deploying " + deployment.function());
            }
            values.put(secret, value.get());
        }
        Files.createDirectories(secretsRoot);
        Path folder = Files.createTempDirectory(secretsRoot, deployment.owner() + "-" + deployment.function() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            Path file = folder.resolve(e.getKey());
            Files.write(file, e.getValue());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        }
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-x------"));
        return Optional.of(folder);
    }

    /** {@code uid[:gid]} or {@code name[:group]} looked up in the image's own passwd/group files. */
    private static int[] user(String user, Path root) throws DeployFailure, IOException {
        if (user == null || user.isBlank()) {
            return new int[] {DEFAULT_ID, DEFAULT_ID};
        }
        String[] parts = user.split(":", 2);
        OptionalInt uid = id(parts[0], root.resolve("etc/passwd"));
        if (uid.isEmpty()) {
            throw new DeployFailure("InvalidImage", "image user " + parts[0] + " is not in the image's /etc/passwd");
        }
        OptionalInt gid = parts.length == 2 ? id(parts[1], root.resolve("etc/group")) : OptionalInt.of(uid.getAsInt());
        if (gid.isEmpty()) {
            throw new DeployFailure("InvalidImage", "image group " + parts[1] + " is not in the image's /etc/group");
        }
        int u = uid.getAsInt() == 0 ? DEFAULT_ID : uid.getAsInt();
        int g = gid.getAsInt() == 0 ? DEFAULT_ID : gid.getAsInt();
        return new int[] {u, g};
    }

    private static String home(int uid, Path root) throws IOException {
        Path passwd = root.resolve("etc/passwd");
        if (Files.isRegularFile(passwd, LinkOption.NOFOLLOW_LINKS)) {
            for (String line : Files.readAllLines(passwd)) {
                String[] fields = line.split(":");
                if (fields.length >= 6 && fields[2].equals(Integer.toString(uid)) && fields[5].startsWith("/")) {
                    return fields[5];
                }
            }
        }
        return "/";
    }

    private static OptionalInt id(String value, Path table) throws IOException {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
            return OptionalInt.of(Integer.parseInt(value));
        }
        if (!Files.isRegularFile(table, LinkOption.NOFOLLOW_LINKS)) {
            return OptionalInt.empty();
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines) {
            String[] fields = line.split(":");
            if (fields.length >= 3 && fields[0].equals(value)) {
                try {
                    return OptionalInt.of(Integer.parseInt(fields[2]));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }
}
