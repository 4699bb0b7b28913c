package dev.driftless.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The route table the gateway reads for every request. A route switch is one map write, so each
 * request sees either the old or the new backend, never a mix. The table also counts requests in
 * flight per backend: the gateway takes a {@link Lease} when it picks a backend and releases it when
 * the exchange ends, which is what {@link #awaitDrained} waits on during a rollout.
 */
public final class InMemoryRouteTable implements RouteTable {
    private final Map<FunctionAddress, Backend> routes = new ConcurrentHashMap<>();
    private final Map<Backend, InFlight> inFlight = new ConcurrentHashMap<>();
    /** When a request last picked a backend of each function (System.nanoTime): what idling is measured from. */
    private final Map<FunctionAddress, AtomicLong> lastPicked = new ConcurrentHashMap<>();

    @Override
    public Optional<Backend> lookup(FunctionAddress address) {
        return Optional.ofNullable(routes.get(address));
    }

    @Override
    public Optional<Backend> route(FunctionAddress address, Backend backend) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(backend, "backend");
        return Optional.ofNullable(routes.put(address, backend));
    }

    @Override
    public Optional<Backend> unroute(FunctionAddress address) {
        lastPicked.remove(address);
        return Optional.ofNullable(routes.remove(address));
    }

    @Override
    public boolean awaitDrained(Backend backend, Duration timeout) throws InterruptedException {
        InFlight counter = inFlight.get(backend);
        return counter == null || counter.awaitZero(timeout);
    }

    /** When a request last picked a backend of {@code address} ({@link System#nanoTime()}), if ever. */
    public Optional<Long> lastRequestNanos(FunctionAddress address) {
        AtomicLong last = lastPicked.get(address);
        return last == null ? Optional.empty() : Optional.of(last.get());
    }

    /** Requests in flight to {@code address}'s current backend; 0 when it has none. */
    public int inFlight(FunctionAddress address) {
        Backend backend = routes.get(address);
        return backend == null ? 0 : inFlight(backend);
    }

    /** Requests in flight to {@code backend} right now. */
    public int inFlight(Backend backend) {
        InFlight counter = inFlight.get(backend);
        return counter == null ? 0 : counter.count();
    }

    /**
     * Picks the current backend of {@code address} and counts a request against it. After counting it
     * checks the route again: if a switch happened in between, the runtime may already have seen the
     * old backend drained, so the request lets go and picks again instead of reaching a stopping backend.
     */
    Optional<Lease> acquire(FunctionAddress address) {
        while (true) {
            Backend backend = routes.get(address);
            if (backend == null) {
                return Optional.empty();
            }
            InFlight counter = inFlight.computeIfAbsent(backend, b -> new InFlight());
            counter.increment();
            if (backend.equals(routes.get(address))) {
                // One mutable cell per function: no boxing and no map write per request.
                lastPicked.computeIfAbsent(address, a -> new AtomicLong()).set(System.nanoTime());
                return Optional.of(new Lease(backend, counter));
            }
            counter.decrement();
        }
    }

    /** One request's hold on a backend; {@link #release()} is idempotent. */
    static final class Lease {
        private final Backend backend;
        private final InFlight counter;
        private boolean released;

        private Lease(Backend backend, InFlight counter) {
            this.backend = backend;
            this.counter = counter;
        }

        Backend backend() {
            return backend;
        }

        synchronized void release() {
            if (!released) {
                released = true;
                counter.decrement();
            }
        }
    }

    /** A counter that waiters can block on until it reaches zero. */
    private static final class InFlight {
        private int count;

        synchronized void increment() {
            count++;
        }

        synchronized void decrement() {
            count--;
            if (count == 0) {
                notifyAll();
            }
        }

        synchronized int count() {
            return count;
        }

        synchronized boolean awaitZero(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }
}
