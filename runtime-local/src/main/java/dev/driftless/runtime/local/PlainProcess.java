package dev.driftless.runtime.local;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fallback where bubblewrap is missing: a plain process as the daemon's user, with a cleared environment
 * and the image's working folder (under the unpacked root) as working folder. There is no mount namespace to
 * put the root at {@code /}, so every path that names something inside the image is rewritten to the unpacked
 * root: in the entrypoint's arguments ({@code /opt/driftless/runtime/index.py}), in class paths and other
 * {@code :}-separated lists ({@code /opt/driftless/lib/*}), and in the environment's values
 * ({@code DRIFTLESS_FUNCTION_DIR}, {@code PYTHONPATH}). A path the image does not hold ({@code /usr/bin}) stays
 * as it is, so the host's interpreters are found. This is not a sandbox and has no network isolation;
 * {@link LocalRuntime} says so once, loudly.
 */
record PlainProcess() implements Sandbox {
    @Override
    public String kind() {
        return "plain";
    }

    @Override
    public boolean wraps(ProcessHandle process) {
        return false;
    }

    @Override
    public ProcessBuilder command(Launch launch, int port) {
        Path root = launch.root();
        List<String> args = new ArrayList<>();
        for (String arg : launch.entrypoint()) {
            args.add(inImage(root, arg));
        }
        ProcessBuilder builder = new ProcessBuilder(args);
        builder.environment().clear();
        builder.environment().putAll(environment(root, Sandbox.environment(launch, port)));
        Path workdir = Path.of(inImage(root, launch.workingDirectory()));
        builder.directory((Files.isDirectory(workdir, LinkOption.NOFOLLOW_LINKS) ? workdir : root).toFile());
        return builder;
    }

    /** The environment with every value that names an image path rewritten; {@code PATH} is the host's. */
    static Map<String, String> environment(Path root, Map<String, String> env) {
        Map<String, String> rewritten = new LinkedHashMap<>();
        env.forEach((name, value) -> rewritten.put(name, name.equals("PATH") ? value : inImage(root, value)));
        return rewritten;
    }

    /** {@code value} with each {@code :}-separated absolute path that exists in the image moved under the root. */
    static String inImage(Path root, String value) {
        if (!value.contains("/")) {
            return value;
        }
        String[] parts = value.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = pathInImage(root, parts[i]);
        }
        return String.join(":", parts);
    }

    private static String pathInImage(Path root, String part) {
        if (!part.startsWith("/") || part.contains("..")) {
            return part;
        }
        // A class-path wildcard (/opt/driftless/lib/*) names the folder it lists.
        String path = part.endsWith("/*") ? part.substring(0, part.length() - 2) : part;
        if (path.equals("/") || path.isEmpty()) {
            return part;
        }
        Path candidate = root.resolve(path.substring(1)).normalize();
        if (!candidate.startsWith(root) || !Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
            return part;
        }
        return part.endsWith("/*") ? candidate + "/*" : candidate.toString();
    }
}
