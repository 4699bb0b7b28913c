package dev.driftless.reconciler.app;

import dev.driftless.gateway.Backend;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.RouteTable;
import dev.driftless.reconciler.runtime.DeployedFunction;
import dev.driftless.reconciler.runtime.FunctionDeployment;
import dev.driftless.reconciler.runtime.FunctionRuntime;
import dev.driftless.reconciler.runtime.RolloutResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
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
 */
final class RoutedRuntime implements FunctionRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(RoutedRuntime.class);

    private final FunctionRuntime delegate;
    private final Optional<BiFunction<String, String, URI>> serviceAddress;
    private final RouteTable routes;
    private final Predicate<String> coverOwnerHost;
    private final FunctionTimeouts timeouts;
    private final Set<String> coveredOwners = ConcurrentHashMap.newKeySet();

    /**
     * @param serviceAddress for Kubernetes: where a function's Service answers; empty for runtimes that route themselves
     * @param coverOwnerHost makes the owner's subdomain verify with the local CA (blocking)
     */
    RoutedRuntime(FunctionRuntime delegate, Optional<BiFunction<String, String, URI>> serviceAddress, RouteTable routes,
                  Predicate<String> coverOwnerHost, FunctionTimeouts timeouts) {
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
            timeouts.deployed(deployment.owner(), deployment.function(), deployment.environment());
            serviceAddress.ifPresent(address -> {
                URI service = address.apply(deployment.owner(), deployment.function());
                routes.route(new FunctionAddress(deployment.owner(), deployment.function()),
                        new Backend(service.getHost(), service.getPort(), deployment.image()));
            });
            if (coveredOwners.add(deployment.owner())) {
                try {
                    coverOwnerHost.test(deployment.owner());
                } catch (RuntimeException e) {
                    coveredOwners.remove(deployment.owner());
                    LOG.warn("event=owner_host_certificate_failed owner={} error=\"{}\"", deployment.owner(), e.getMessage());
                }
            }
        }
        return result;
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
            routes.unroute(new FunctionAddress(owner, function));
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
