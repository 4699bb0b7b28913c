package dev.driftless.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The system git, run in one folder; the token reaches it through a credential helper, never the URL. */
final class Git {
    /** What a git command did: its exit code and output (stdout and stderr together). */
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private final Path dir;
    private final String token;

    Git(Path dir, String token) {
        this.dir = dir;
        this.token = token == null ? "" : token;
    }

    Path dirPath() {
        return dir;
    }

    /** Runs git and fails on a non-zero exit. */
    String run(String... args) throws IOException, InterruptedException {
        Result result = tryRun(args);
        if (!result.ok()) {
            throw new IOException("git " + String.join(" ", args) + " failed (" + result.exit() + "): " + result.output());
        }
        return result.output().strip();
    }

    /** Runs git and returns what happened, whatever the exit code (a push to a daemon being killed fails). */
    Result tryRun(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Reliability",
                "-c", "user.email=reliability@driftless.invalid", "-c", "commit.gpgsign=false", "-c", "credential.helper=",
                "-c", "credential.helper=!f() { echo username=reliability; echo \"password=$RELIABILITY_TOKEN\"; }; f"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("HOME", dir.toString());
        env.put("RELIABILITY_TOKEN", token);
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return new Result(-1, output + " (timed out)");
        }
        return new Result(process.exitValue(), output);
    }
}
