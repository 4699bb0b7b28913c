package dev.driftless.runtime.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the local runtime runs functions.
 *
 * @param dataDirectory  the daemon's data folder; the runtime uses {@code <data>/runtime/} (image roots,
 *                       per-instance secret folders), never shown to functions
 * @param bubblewrap     the {@code bwrap} binary; empty runs plain processes (logged as a warning)
 * @param healthTimeout  how long a new instance may take to answer {@code GET /_/health} with 200
 * @param drainTimeout   how long a rollout waits for in-flight requests of the old instance
 * @param stopGrace      time between SIGTERM and SIGKILL when stopping an instance
 * @param restartInitial first delay before restarting a crashed instance (doubles per crash)
 * @param restartMax     longest delay between restarts
 * @param healthyAfter   an instance up this long resets the restart backoff
 * @param logLines       lines kept per instance for {@code recentLogs} and failed rollouts
 * @param secrets        where secret values come from
 * @param pasta          the {@code pasta} binary (Debian's {@code passt}) that gives each sandboxed instance its own
 *                       network namespace; empty shares the host's network (logged as a warning)
 * @param egress         whether functions may open outbound connections from their namespace
 */
public record LocalRuntimeSettings(
        Path dataDirectory,
        Optional<Path> bubblewrap,
        Duration healthTimeout,
        Duration drainTimeout,
        Duration stopGrace,
        Duration restartInitial,
        Duration restartMax,
        Duration healthyAfter,
        int logLines,
        SecretValues secrets,
        Optional<Path> pasta,
        Egress egress) {

    public static final Path DEFAULT_BWRAP = Path.of("/usr/bin/bwrap");
    public static final Path DEFAULT_PASTA = Path.of("/usr/bin/pasta");

    public LocalRuntimeSettings {
        if (logLines < 1) {
            throw new IllegalArgumentException("logLines must be positive");
        }
        new Backoff(restartInitial, restartMax, healthyAfter); // validates
        java.util.Objects.requireNonNull(egress, "egress");
    }

    /**
     * Defaults: bubblewrap at {@code /usr/bin/bwrap} if executable, 60 s health time-out, 30 s drain, 10 s stop
     * grace, restarts after 1 s doubling up to 60 s (reset after 60 s up), 500 log lines, secrets read from
     * {@code <data>/secrets/<owner>/<name>}, pasta at {@code /usr/bin/pasta} if executable, egress allowed.
     */
    public static LocalRuntimeSettings defaults(Path dataDirectory) {
        Optional<Path> bwrap = Files.isExecutable(DEFAULT_BWRAP) ? Optional.of(DEFAULT_BWRAP) : Optional.empty();
        return new LocalRuntimeSettings(dataDirectory, bwrap, Duration.ofSeconds(60), Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60), 500,
                SecretValues.folder(dataDirectory.resolve("secrets")),
                Files.isExecutable(DEFAULT_PASTA) ? Optional.of(DEFAULT_PASTA) : Optional.empty(), Egress.ALLOW);
    }

    public LocalRuntimeSettings withBubblewrap(Optional<Path> bwrap) {
        return new LocalRuntimeSettings(dataDirectory, bwrap, healthTimeout, drainTimeout, stopGrace, restartInitial,
                restartMax, healthyAfter, logLines, secrets, pasta, egress);
    }

    public LocalRuntimeSettings withHealthTimeout(Duration timeout) {
        return new LocalRuntimeSettings(dataDirectory, bubblewrap, timeout, drainTimeout, stopGrace, restartInitial,
                restartMax, healthyAfter, logLines, secrets, pasta, egress);
    }

    public LocalRuntimeSettings withDrainTimeout(Duration timeout) {
        return new LocalRuntimeSettings(dataDirectory, bubblewrap, healthTimeout, timeout, stopGrace, restartInitial,
                restartMax, healthyAfter, logLines, secrets, pasta, egress);
    }

    public LocalRuntimeSettings withStopGrace(Duration grace) {
        return new LocalRuntimeSettings(dataDirectory, bubblewrap, healthTimeout, drainTimeout, grace, restartInitial,
                restartMax, healthyAfter, logLines, secrets, pasta, egress);
    }

    public LocalRuntimeSettings withRestartBackoff(Duration initial, Duration max, Duration healthyAfterUp) {
        return new LocalRuntimeSettings(dataDirectory, bubblewrap, healthTimeout, drainTimeout, stopGrace, initial, max,
                healthyAfterUp, logLines, secrets, pasta, egress);
    }

    public LocalRuntimeSettings withSecrets(SecretValues values) {
        return new LocalRuntimeSettings(dataDirectory, bubblewrap, healthTimeout, drainTimeout, stopGrace,
                restartInitial, restartMax, healthyAfter, logLines, values, pasta, egress);
    }

    public LocalRuntimeSettings withPasta(Optional<Path> binary) {
        return new LocalRuntimeSettings(dataDirectory, bubblewrap, healthTimeout, drainTimeout, stopGrace,
                restartInitial, restartMax, healthyAfter, logLines, secrets, binary, egress);
    }

    public LocalRuntimeSettings withEgress(Egress allowed) {
        return new LocalRuntimeSettings(dataDirectory, bubblewrap, healthTimeout, drainTimeout, stopGrace,
                restartInitial, restartMax, healthyAfter, logLines, secrets, pasta, allowed);
    }

    /** {@link FunctionNetwork#HOST} drops pasta: instances share the host's network (LocalRuntime warns at start). */
    public LocalRuntimeSettings withNetwork(FunctionNetwork network) {
        return network == FunctionNetwork.HOST ? withPasta(Optional.empty()) : this;
    }

    Path runtimeDirectory() {
        return dataDirectory.resolve("runtime");
    }
}
