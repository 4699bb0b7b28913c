package dev.driftless.runtime.local;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.gateway.RouteTable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's {@link InMemoryRouteTable} for routes, plus the in-flight counting a test client needs to
 * act like the gateway (the table's own leases are package-private to the gateway): a request leases the
 * current backend, re-checks that the route did not move meanwhile, and lets go when its answer is read;
 * {@link #awaitDrained} waits for those leases.
 */
final class LeasingRouteTable implements RouteTable {
    private final InMemoryRouteTable routes = new InMemoryRouteTable();
    private final Map<Backend, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    /** A request's hold on a backend. */
    record Lease(Backend backend, AtomicInteger counter) implements AutoCloseable {
        @Override
        public void close() {
            synchronized (counter) {
                counter.decrementAndGet();
                counter.notifyAll();
            }
        }
    }

    Optional<Lease> acquire(FunctionAddress address) {
        while (true) {
            Optional<Backend> backend = routes.lookup(address);
            if (backend.isEmpty()) {
                return Optional.empty();
            }
            AtomicInteger counter = inFlight.computeIfAbsent(backend.get(), b -> new AtomicInteger());
            counter.incrementAndGet();
            if (backend.equals(routes.lookup(address))) {
                return Optional.of(new Lease(backend.get(), counter));
            }
            new Lease(backend.get(), counter).close();
        }
    }

    @Override
    public Optional<Backend> lookup(FunctionAddress address) {
        return routes.lookup(address);
    }

    @Override
    public Optional<Backend> route(FunctionAddress address, Backend backend) {
        return routes.route(address, backend);
    }

    @Override
    public Optional<Backend> unroute(FunctionAddress address) {
        return routes.unroute(address);
    }

    @Override
    public boolean awaitDrained(Backend backend, Duration timeout) throws InterruptedException {
        AtomicInteger counter = inFlight.get(backend);
        if (counter == null) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (counter) {
            while (counter.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                counter.wait(Math.max(1, left / 1_000_000));
            }
        }
        return routes.awaitDrained(backend, timeout);
    }
}
