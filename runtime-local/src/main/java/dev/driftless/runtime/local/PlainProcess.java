package dev.driftless.runtime.local;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fallback where bubblewrap is missing: a plain process as the daemon's user, with a cleared environment
 * and the image root as working folder. Arguments that name a file inside the image ({@code /home/app/server.py})
 * are rewritten to the unpacked root, since there is no mount namespace to put the root at {@code /}.
 * This is not a sandbox; {@link LocalRuntime} logs a warning once.
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
        builder.environment().putAll(Sandbox.environment(launch, port));
        Path workdir = Path.of(inImage(root, launch.workingDirectory()));
        builder.directory((Files.isDirectory(workdir, LinkOption.NOFOLLOW_LINKS) ? workdir : root).toFile());
        return builder;
    }

    private static String inImage(Path root, String arg) {
        if (!arg.startsWith("/") || arg.contains("..")) {
            return arg;
        }
        Path candidate = root.resolve(arg.substring(1)).normalize();
        return candidate.startsWith(root) && Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)
                ? candidate.toString() : arg;
    }
}
