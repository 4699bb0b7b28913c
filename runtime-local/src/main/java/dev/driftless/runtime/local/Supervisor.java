package dev.driftless.runtime.local;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.RouteTable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts a serving instance that exited on its own, with exponential backoff. The restarted instance gets
 * the same port when it is free (the route stays as it is) or a new one (the route moves once it is healthy).
 * A restart is dropped when a deploy or a removal replaced the instance meanwhile.
 */
final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private final Launcher launcher;
    private final RouteTable routes;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    Supervisor(Launcher launcher, RouteTable routes, Backoff backoff) {
        this.launcher = launcher;
        this.routes = routes;
        this.backoff = backoff;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "local-runtime-supervisor");
            t.setDaemon(true);
            return t;
        });
        pool.setMaximumPoolSize(1);
        this.scheduler = pool;
    }

    /** Restarts {@code running}'s instance of {@code slot} if it exits without being stopped. */
    void watch(FunctionSlot slot, FunctionSlot.Running running) {
        Instance instance = running.instance();
        instance.ended().thenRun(() -> { // after the exit, once its cgroup said whether it ran out of memory
            if (!instance.stopping() && !closed) {
                crashed(slot, instance);
            }
        });
    }

    private void crashed(FunctionSlot slot, Instance instance) {
        if (Duration.between(instance.started(), Instant.now()).compareTo(backoff.resetAfter()) >= 0) {
            slot.crashes.set(0); // it had been healthy for a while: start the backoff again
        }
        retry(slot, instance);
    }

    private void retry(FunctionSlot slot, Instance instance) {
        int attempt = slot.crashes.incrementAndGet();
        Duration delay = backoff.delay(attempt);
        String killed = instance.death(Duration.ZERO).map(k -> " death=\"" + k + "\"").orElse("");
        LOG.warn("event=instance_exited function={} port={} exit={}{} restart_in_ms={} attempt={}", slot.address,
                instance.port(), instance.exitCode(), killed, delay.toMillis(), attempt);
        try {
            scheduler.schedule(() -> restart(slot, instance), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing: nothing restarts any more.
        }
    }

    private void restart(FunctionSlot slot, Instance crashed) {
        try {
            slot.lock.lockInterruptibly();
        } catch (InterruptedException e) {
            return;
        }
        try {
            FunctionSlot.Running current = slot.current();
            if (closed || current == null || current.instance() != crashed) {
                return;
            }
            int port = launcher.sameOrFreePort(crashed.port());
            List<String> carried = new ArrayList<>(crashed.logs().last(50));
            carried.add("--- driftless: instance " + crashed.death(Duration.ZERO).map(k -> "was " + k)
                    .orElse("exited with code " + crashed.exitCode()) + ", restarting ---");
            Launcher.Attempt attempt = launcher.launch(current.launch(), port, carried);
            if (!attempt.healthy()) {
                // Keep the failed attempt as current so its logs are visible and the next restart targets it.
                slot.set(current.withInstance(attempt.instance(), current.backend()));
                LOG.warn("event=restart_failed function={} result={}", slot.address, attempt.result());
                retry(slot, attempt.instance());
                return;
            }
            Backend backend = new Backend(current.backend().host(), port, current.backend().version());
            FunctionSlot.Running next = current.withInstance(attempt.instance(), backend);
            slot.set(next);
            if (!backend.equals(current.backend())) {
                routes.route(slot.address, backend);
            }
            watch(slot, next);
            LOG.info("event=instance_restarted function={} port={} pid={}", slot.address, port,
                    attempt.instance().pid());
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("event=restart_failed function={} error=\"{}\"", slot.address, e.getMessage());
                retry(slot, crashed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("event=restart_failed function={}", slot.address, e);
        } finally {
            slot.lock.unlock();
        }
    }

    void close() {
        closed = true;
        scheduler.shutdownNow();
    }
}
