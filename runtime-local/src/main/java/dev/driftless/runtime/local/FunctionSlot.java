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

    final FunctionAddress address;
    final ReentrantLock lock = new ReentrantLock();
    /** Consecutive crashes since the function last stayed up long enough; drives the restart backoff. */
    final AtomicInteger crashes = new AtomicInteger();
    private volatile Running current;

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
}
