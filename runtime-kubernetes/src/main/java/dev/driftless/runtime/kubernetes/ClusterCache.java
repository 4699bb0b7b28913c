package dev.driftless.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the API server holds of ours, kept by fabric8 informers: one list and one watch per kind for the whole
 * cluster, selected by our {@code managed-by} label (so only the managed namespaces and their objects), instead of
 * GETs per function per pass. A resync of unchanged functions reads only this cache and sends nothing.
 *
 * <p>The cache is a view that may lag the server by a watch event; it decides nothing that writes. The runtime
 * treats a cached object that equals the desired one as "unchanged" and re-reads from the API server whatever the
 * cache shows missing or different before writing (and every write is guarded by its resourceVersion). A watch that
 * expires (410 Gone) or drops makes the informer list again; errors of the API server are retried with back-off.
 *
 * <p>Rollouts wait on Deployment events here ({@link #awaitDeploymentChange}), not by polling the server.
 */
final class ClusterCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCache.class);

    private final KubernetesClient client;
    private final Map<String, String> ours = Map.of(OurKeys.MANAGED_BY, OurKeys.MANAGER);
    /** namespace/name → monitor that rollouts of that Deployment wait on. */
    private final Map<String, Object> deploymentMonitors = new ConcurrentHashMap<>();
    private final Duration syncTimeout;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<Deployment> deployments;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<NetworkPolicy> policies;
    private SharedIndexInformer<Secret> secrets;
    private boolean closed;

    ClusterCache(KubernetesClient client, Duration syncTimeout) {
        this.client = client;
        this.syncTimeout = syncTimeout;
    }

    /**
     * Starts the informers (idempotent) and waits until each has listed once. Lazily on first use, or from the
     * daemon's start so it is ready before it serves.
     */
    synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the Kubernetes runtime is closed");
        }
        if (deployments != null) {
            return;
        }
        namespaces = informer(client.namespaces().withLabels(ours).runnableInformer(0));
        deployments = informer(client.apps().deployments().inAnyNamespace().withLabels(ours).runnableInformer(0));
        deployments.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                changed(d);
            }

            @Override
            public void onUpdate(Deployment before, Deployment d) {
                changed(d);
            }

            @Override
            public void onDelete(Deployment d, boolean finalStateUnknown) {
                changed(d);
            }
        });
        services = informer(client.services().inAnyNamespace().withLabels(ours).runnableInformer(0));
        policies = informer(client.network().v1().networkPolicies().inAnyNamespace().withLabels(ours).runnableInformer(0));
        awaitSynced(List.of(namespaces, deployments, services, policies));
    }

    /** Secrets of ours: only when the runtime feeds secrets, so a daemon without a store does not read Secrets. */
    private synchronized SharedIndexInformer<Secret> secretsInformer() {
        start();
        if (secrets == null) {
            secrets = informer(client.secrets().inAnyNamespace().withLabels(ours).runnableInformer(0));
            awaitSynced(List.of(secrets));
        }
        return secrets;
    }

    /** Whether every started informer has listed once (for readiness). */
    synchronized boolean synced() {
        return deployments != null && List.of(namespaces, deployments, services, policies).stream().allMatch(SharedIndexInformer::hasSynced)
                && (secrets == null || secrets.hasSynced());
    }

    private <T extends HasMetadata> SharedIndexInformer<T> informer(SharedIndexInformer<T> informer) {
        // keep retrying: a 500 or a dropped connection at start or later must not leave the cache dead
        informer.exceptionHandler((started, error) -> {
            LOG.warn("event=kubernetes.informer_retry kind={} started={} error=\"{}\"", informer.getApiTypeClass().getSimpleName(),
                    started, error.toString());
            return true;
        });
        informer.start();
        return informer;
    }

    private void awaitSynced(List<SharedIndexInformer<?>> informers) {
        long deadline = System.nanoTime() + syncTimeout.toNanos();
        for (SharedIndexInformer<?> informer : informers) {
            try {
                informer.start().toCompletableFuture().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the informers list", e);
            } catch (ExecutionException | TimeoutException e) {
                // the informer goes on retrying; lookups fall back to the API server meanwhile
                LOG.warn("event=kubernetes.informer_not_synced kind={} error=\"{}\"", informer.getApiTypeClass().getSimpleName(),
                        e.toString());
            }
        }
    }

    Optional<Namespace> namespace(String name) {
        start();
        return synced(namespaces) ? Optional.ofNullable(namespaces.getStore().getByKey(name)) : Optional.empty();
    }

    Optional<Deployment> deployment(String namespace, String name) {
        start();
        return synced(deployments) ? Optional.ofNullable(deployments.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)))
                : Optional.empty();
    }

    Optional<Service> service(String namespace, String name) {
        start();
        return synced(services) ? Optional.ofNullable(services.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)))
                : Optional.empty();
    }

    Optional<NetworkPolicy> networkPolicy(String namespace, String name) {
        start();
        return synced(policies) ? Optional.ofNullable(policies.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)))
                : Optional.empty();
    }

    Optional<Secret> secret(String namespace, String name) {
        SharedIndexInformer<Secret> informer = secretsInformer();
        return synced(informer) ? Optional.ofNullable(informer.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)))
                : Optional.empty();
    }

    /**
     * Our Deployments in {@code namespace} carrying every label of {@code selector}; empty when the cache has not
     * listed yet (the caller then asks the API server).
     */
    Optional<List<Deployment>> deployments(String namespace, Map<String, String> selector) {
        start();
        if (!synced(deployments)) {
            return Optional.empty();
        }
        List<Deployment> found = new ArrayList<>();
        for (Deployment d : deployments.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            if (DeploymentDrift.contains(d.getMetadata().getLabels(), selector)) {
                found.add(d);
            }
        }
        return Optional.of(found);
    }

    /**
     * Waits until the cached Deployment {@code namespace/name} is no longer the one with {@code resourceVersion}
     * (null: absent), or {@code timeout} passes. Woken by the informer's events; no request is sent.
     */
    void awaitDeploymentChange(String namespace, String name, String resourceVersion, Duration timeout)
            throws InterruptedException {
        String key = Cache.namespaceKeyFunc(namespace, name);
        Object monitor = deploymentMonitors.computeIfAbsent(key, k -> new Object());
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (true) {
                Deployment now = deployments.getStore().getByKey(key);
                if (!Objects.equals(resourceVersion, now == null ? null : now.getMetadata().getResourceVersion())) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
        }
    }

    /** Waits until the cache no longer holds the Deployment {@code namespace/name} (after we deleted it). */
    void awaitDeploymentGone(String namespace, String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Deployment> cached;
        while ((cached = deployment(namespace, name)).isPresent() && System.nanoTime() < deadline) {
            awaitDeploymentChange(namespace, name, cached.get().getMetadata().getResourceVersion(),
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
    }

    private void changed(Deployment d) {
        Object monitor = deploymentMonitors.get(Cache.metaNamespaceKeyFunc(d));
        if (monitor != null) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    private static boolean synced(SharedIndexInformer<?> informer) {
        return informer.hasSynced();
    }

    /** Stops the watches; the client stays open (its owner closes it). */
    @Override
    public synchronized void close() {
        closed = true;
        for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {namespaces, deployments, services, policies, secrets}) {
            if (informer != null) {
                informer.stop();
            }
        }
    }
}
