package dev.driftless.runtime.local;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.runtime.FunctionDeployment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The place of one function ({@code owner/function}) in the local runtime. Deploys, removals and restarts of
 * the function take {@link #lock}, so they happen one at a time; readers ({@code list}, logs) read
 * {@link #current} without waiting for a rollout in progress.
 */
final class FunctionSlot {
    /** What serves the function now: the deployment it was started from, its instance and its route. */
    record Running(FunctionDeployment deployment, String specKey, Launch launch, Instance instance, Backend backend) {
        Running withInstance(Instance next, Backend nextBackend) {
            return new Running(deployment, specKey, launch, next, nextBackend);
        }

        Running withRecord(FunctionDeployment recorded) {
            return new Running(recorded, specKey, launch, instance, backend);
        }
    }

    /**
     * A function scaled to zero: no process, but its unpacked root and launch plan (secrets folder included) are
     * kept, so that starting the same deployment again only starts the process. {@code lastLines} is what its
     * last instance wrote, still shown by {@code recentLogs} and carried into the next instance's log.
     */
    record Asleep(FunctionDeployment deployment, String specKey, Launch launch, java.util.List<String> lastLines) {
        Asleep {
            lastLines = java.util.List.copyOf(lastLines);
        }
    }

    final FunctionAddress address;
    final ReentrantLock lock = new ReentrantLock();
    /** Consecutive crashes since the function last stayed up long enough; drives the restart backoff. */
    final AtomicInteger crashes = new AtomicInteger();
    private volatile Running current;
    /** The output of the last release that failed to start, until a release starts; the dashboard shows it. */
    private volatile FailedStart failedStart;
    private volatile Asleep asleep;

    /** A release whose instance never got healthy, and the lines it printed before it was stopped or exited. */
    record FailedStart(long release, String what, java.util.List<String> lines) {
        FailedStart {
            lines = java.util.List.copyOf(lines);
        }
    }

    FunctionSlot(FunctionAddress address) {
        this.address = address;
    }

    Running current() {
        return current;
    }

    /** Only with {@link #lock} held. */
    void set(Running running) {
        current = running;
    }

    Asleep asleep() {
        return asleep;
    }

    /** Only with {@link #lock} held; {@code null} once it serves again or was removed. */
    void asleep(Asleep kept) {
        asleep = kept;
    }

    FailedStart failedStart() {
        return failedStart;
    }

    /** Only with {@link #lock} held; {@code null} once a release started. */
    void failedStart(FailedStart failure) {
        failedStart = failure;
    }
}
