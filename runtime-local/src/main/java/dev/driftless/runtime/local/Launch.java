package dev.driftless.runtime.local;

import dev.driftless.runtime.FunctionDeployment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything needed to start one instance of a function, independent of the port it gets.
 *
 * @param name        {@code owner/function}, for logs and thread names
 * @param root        the unpacked, shared image root (never written)
 * @param entrypoint  the image's Entrypoint followed by Cmd
 * @param environment image Env, then the stack's environment on top; {@code PORT} is added per instance
 * @param workingDirectory absolute path inside the image
 * @param uid         the user inside the sandbox (never 0)
 * @param gid         the group inside the sandbox
 * @param secrets     a folder with one file per secret, shown read-only at {@code /var/openfaas/secrets}
 * @param resources   the stack's limits and requests, enforced per instance by {@link CgroupLimits}
 */
record Launch(
        String name,
        Path root,
        List<String> entrypoint,
        Map<String, String> environment,
        String workingDirectory,
        int uid,
        int gid,
        Optional<Path> secrets,
        FunctionDeployment.Resources resources) {

    static final String SECRETS_MOUNT = "/var/openfaas/secrets";

    Launch {
        entrypoint = List.copyOf(entrypoint);
        environment = Map.copyOf(environment);
        if (entrypoint.isEmpty()) {
            throw new IllegalArgumentException("image has no entrypoint or cmd");
        }
    }
}
