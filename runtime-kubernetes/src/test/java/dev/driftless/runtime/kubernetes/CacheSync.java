package dev.driftless.runtime.kubernetes;

import dev.driftless.testsupport.Await;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * A hand edit reaches the runtime's informers one watch event later; a test that edits and then reconciles at once
 * waits for that event first, as a later resync would see it anyway.
 */
final class CacheSync {
    private CacheSync() {
    }

    static void deployment(KubernetesRuntime runtime, String namespace, String name, Predicate<Optional<Deployment>> seen)
            throws InterruptedException {
        Await.until("the runtime's cache sees the edit of Deployment " + namespace + "/" + name,
                () -> seen.test(runtime.cache().deployment(namespace, name)));
    }

    static void service(KubernetesRuntime runtime, String namespace, String name, Predicate<Optional<Service>> seen)
            throws InterruptedException {
        Await.until("the runtime's cache sees the edit of Service " + namespace + "/" + name,
                () -> seen.test(runtime.cache().service(namespace, name)));
    }

    static void networkPolicy(KubernetesRuntime runtime, String namespace, Predicate<Optional<NetworkPolicy>> seen)
            throws InterruptedException {
        Await.until("the runtime's cache sees the edit of the NetworkPolicy in " + namespace,
                () -> seen.test(runtime.cache().networkPolicy(namespace, OwnerManifests.NETWORK_POLICY)));
    }

    static Predicate<Optional<Deployment>> image(String image) {
        return d -> d.isPresent() && image.equals(d.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    static Predicate<Optional<Deployment>> replicas(int replicas) {
        return d -> d.isPresent() && Integer.valueOf(replicas).equals(d.get().getSpec().getReplicas());
    }

    static <T> Predicate<Optional<T>> gone() {
        return Optional::isEmpty;
    }
}
