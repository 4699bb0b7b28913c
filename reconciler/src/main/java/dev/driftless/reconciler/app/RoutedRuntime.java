package dev.driftless.reconciler.app;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.RouteTable;
import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * What the gateway needs to know about deployments, kept next to the runtime that makes them: in
 * Kubernetes mode a served function is routed to its Service (the local runtime routes its own
 * instances during a rollout), every owner's subdomain gets a name in the local certificate when
 * the domain is a single label such as {@code localhost}, and the gateway learns each function's
 * {@code exec_timeout}.
 *
 * <p>With several replicas (Kubernetes) each one serves every function, whichever replica deployed it:
 * {@link #follow} brings the routes and time limits in line with the releases the store records.
 */
final class RoutedRuntime implements FunctionRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(RoutedRuntime.class);

    private final FunctionRuntime delegate;
    private final Optional<BiFunction<String, String, URI>> serviceAddress;
    private final RouteTable routes;
    private final Predicate<String> coverOwnerHost;
    private final FunctionTimeouts timeouts;
    /**
     * How long a route this replica just made survives not being in the store yet: the rollout is
     * recorded as deployed only after it finished, and {@link #follow} may have read the store before.
     */
    static final Duration RECORDING_GRACE = Duration.ofSeconds(30);

    private final Set<String> coveredOwners = ConcurrentHashMap.newKeySet();
    /** Every function routed to its Service, with when this replica last deployed it (EPOCH: learned from the store). */
    private final Map<FunctionAddress, Instant> routed = new ConcurrentHashMap<>();
    /** Scaled to zero by this replica: not routed, so the gateway's first request takes the wake path. */
    private final Set<FunctionAddress> asleep = ConcurrentHashMap.newKeySet();
    private final Clock clock;

    /**
     * @param serviceAddress for Kubernetes: where a function's Service answers; empty for runtimes that route themselves
     * @param coverOwnerHost makes the owner's subdomain verify with the local CA (blocking)
     */
    RoutedRuntime(FunctionRuntime delegate, Optional<BiFunction<String, String, URI>> serviceAddress, RouteTable routes,
                  Predicate<String> coverOwnerHost, FunctionTimeouts timeouts) {
        this(delegate, serviceAddress, routes, coverOwnerHost, timeouts, Clock.systemUTC());
    }

    RoutedRuntime(FunctionRuntime delegate, Optional<BiFunction<String, String, URI>> serviceAddress, RouteTable routes,
                  Predicate<String> coverOwnerHost, FunctionTimeouts timeouts, Clock clock) {
        this.clock = clock;
        this.delegate = delegate;
        this.serviceAddress = serviceAddress;
        this.routes = routes;
        this.coverOwnerHost = coverOwnerHost;
        this.timeouts = timeouts;
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public RolloutResult deploy(FunctionDeployment deployment) throws InterruptedException {
        RolloutResult result = delegate.deploy(deployment);
        if (!result.failed()) {
            if (FunctionAddress.isLabel(deployment.owner()) && FunctionAddress.isLabel(deployment.function())) {
                asleep.remove(new FunctionAddress(deployment.owner(), deployment.function()));
            }
            learn(deployment, clock.instant());
        }
        return result;
    }

    /** Scales the function to zero and unroutes it (Kubernetes: its Service has no pods to answer now). */
    @Override
    public void scaleToZero(FunctionDeployment deployment) throws InterruptedException {
        if (serviceAddress.isPresent() && FunctionAddress.isLabel(deployment.owner()) && FunctionAddress.isLabel(deployment.function())) {
            FunctionAddress address = new FunctionAddress(deployment.owner(), deployment.function());
            asleep.add(address);
            routed.remove(address);
            routes.unroute(address);
        }
        delegate.scaleToZero(deployment);
    }

    /**
     * Routes every function in {@code serving} (the store's serving releases) to its Service and forgets
     * those no longer there: what another replica deployed, rolled back or pruned. Writes only what
     * differs. Does nothing for runtimes that route themselves (the local runtime runs on one machine).
     */
    void follow(List<FunctionDeployment> serving) {
        if (serviceAddress.isEmpty()) {
            return;
        }
        Set<FunctionAddress> current = new HashSet<>();
        for (FunctionDeployment deployment : serving) {
            if (!FunctionAddress.isLabel(deployment.owner()) || !FunctionAddress.isLabel(deployment.function())) {
                continue;
            }
            FunctionAddress address = new FunctionAddress(deployment.owner(), deployment.function());
            if (asleep.contains(address)) {
                continue; // its release still serves in the store, but it waits for a request to wake it
            }
            current.add(address);
            Backend backend = backend(deployment);
            if (!routes.lookup(address).equals(Optional.of(backend))) {
                LOG.info("event=route_learned owner={} function={} image={}", address.owner(), address.function(),
                        deployment.image());
                learn(deployment, Instant.EPOCH);
            } else {
                timeouts.deployed(deployment.owner(), deployment.function(), deployment.environment());
                routed.putIfAbsent(address, Instant.EPOCH);
            }
        }
        Instant graceStart = clock.instant().minus(RECORDING_GRACE);
        for (Map.Entry<FunctionAddress, Instant> entry : Map.copyOf(routed).entrySet()) {
            FunctionAddress address = entry.getKey();
            if (!current.contains(address) && entry.getValue().isBefore(graceStart)
                    && routed.remove(address, entry.getValue())) {
                LOG.info("event=route_forgotten owner={} function={}", address.owner(), address.function());
                routes.unroute(address);
                timeouts.removed(address.owner(), address.function());
            }
        }
    }

    /** Tells the gateway about a served deployment; {@code deployedHere} is EPOCH when another replica made it. */
    private void learn(FunctionDeployment deployment, Instant deployedHere) {
        timeouts.deployed(deployment.owner(), deployment.function(), deployment.environment());
        if (serviceAddress.isPresent() && FunctionAddress.isLabel(deployment.owner())
                && FunctionAddress.isLabel(deployment.function())) {
            FunctionAddress address = new FunctionAddress(deployment.owner(), deployment.function());
            routes.route(address, backend(deployment));
            routed.merge(address, deployedHere, (before, now) -> now.isAfter(before) ? now : before);
        }
        if (coveredOwners.add(deployment.owner())) {
            try {
                coverOwnerHost.test(deployment.owner());
            } catch (RuntimeException e) {
                coveredOwners.remove(deployment.owner());
                LOG.warn("event=owner_host_certificate_failed owner={} error=\"{}\"", deployment.owner(), e.getMessage());
            }
        }
    }

    private Backend backend(FunctionDeployment deployment) {
        URI service = serviceAddress.orElseThrow().apply(deployment.owner(), deployment.function());
        return new Backend(service.getHost(), service.getPort(), deployment.image());
    }

    @Override
    public List<DeployedFunction> list(String owner, String repository) {
        return delegate.list(owner, repository);
    }

    @Override
    public List<DeployedFunction> listOwner(String owner) {
        return delegate.listOwner(owner);
    }

    @Override
    public void remove(String owner, String repository, String function) throws InterruptedException {
        delegate.remove(owner, repository, function);
        timeouts.removed(owner, function);
        if (serviceAddress.isPresent() && FunctionAddress.isLabel(owner) && FunctionAddress.isLabel(function)) {
            FunctionAddress address = new FunctionAddress(owner, function);
            asleep.remove(address);
            routed.remove(address);
            routes.unroute(address);
        }
    }

    @Override
    public List<String> recentLogs(String owner, String function, int maxLines) {
        return delegate.recentLogs(owner, function, maxLines);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
