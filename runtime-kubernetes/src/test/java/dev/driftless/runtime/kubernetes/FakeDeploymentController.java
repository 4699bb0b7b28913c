package dev.driftless.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Plays the deployment controller and the kubelet, which the mock API server does not have: on every
 * Deployment whose generation it has not observed, it writes a status as the real controller would.
 * A good image becomes available and serves; an image in {@link #crashing} never gets ready: Progressing=False
 * with ProgressDeadlineExceeded and a pod waiting in CrashLoopBackOff; an image in {@link #silent} never gets
 * ready and no condition is ever reported (only the runtime's own time limit ends that rollout).
 * With maxUnavailable 0 the old pods keep serving while the new ones fail, so {@link #served} only moves
 * to an image once it is available.
 */
public final class FakeDeploymentController implements AutoCloseable {
    final Set<String> crashing = ConcurrentHashMap.newKeySet();
    final Set<String> silent = ConcurrentHashMap.newKeySet();
    /** namespace/name → the image that answers requests now. */
    final Map<String, String> served = new ConcurrentHashMap<>();
    /** Every image that ever served a key, in order, to prove traffic never left the old version. */
    final Map<String, List<String>> servedHistory = new ConcurrentHashMap<>();

    private final KubernetesClient client;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-deployment-controller");
        t.setDaemon(true);
        return t;
    });
    private final Watch watch;

    public FakeDeploymentController(KubernetesClient client) {
        this(client, Duration.ofMillis(200));
    }

    /** Reacts to watch events, and re-lists every {@code resync} as informers do, so a missed event only delays. */
    FakeDeploymentController(KubernetesClient client, Duration resync) {
        this.client = client;
        worker.scheduleWithFixedDelay(this::resync, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
        this.watch = client.apps().deployments().inAnyNamespace().watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                worker.execute(() -> react(action, d));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    private void resync() {
        try {
            var items = client.apps().deployments().inAnyNamespace().list().getItems();
            Set<String> present = ConcurrentHashMap.newKeySet();
            for (Deployment d : items) {
                present.add(d.getMetadata().getNamespace() + "/" + d.getMetadata().getName());
                react(Watcher.Action.MODIFIED, d);
            }
            served.keySet().retainAll(present);
        } catch (RuntimeException e) {
            // the server is going away at the end of a test
        }
    }

    private void react(Watcher.Action action, Deployment d) {
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        if (action == Watcher.Action.DELETED) {
            served.remove(key);
            return;
        }
        // events and re-lists can be stale: act on what the server holds now
        d = client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).get();
        if (d == null) {
            served.remove(key);
            return;
        }
        long generation = Optional.ofNullable(d.getMetadata().getGeneration()).orElse(1L);
        if (d.getStatus() != null && d.getStatus().getObservedGeneration() != null
                && d.getStatus().getObservedGeneration() >= generation) {
            return; // already observed (our own status write comes back as MODIFIED)
        }
        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        int replicas = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
        DeploymentBuilder status = new DeploymentBuilder(d);
        if (crashing.contains(image) || silent.contains(image)) {
            int old = served.containsKey(key) ? replicas : 0;
            status.withNewStatus()
                    .withObservedGeneration(generation)
                    .withReplicas(old + 1).withUpdatedReplicas(1).withReadyReplicas(old).withAvailableReplicas(old)
                    .withUnavailableReplicas(1)
                    .endStatus();
            if (crashing.contains(image)) {
                status.editStatus().addToConditions(new DeploymentConditionBuilder().withType("Progressing")
                        .withStatus("False").withReason("ProgressDeadlineExceeded")
                        .withMessage("ReplicaSet \"" + d.getMetadata().getName() + "-" + generation + "\" has timed out progressing.")
                        .build()).endStatus();
                crashingPod(d, generation, image);
            }
        } else {
            status.withNewStatus()
                    .withObservedGeneration(generation)
                    .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
                    .withAvailableReplicas(replicas).withUnavailableReplicas(0)
                    .addToConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                            .withReason("NewReplicaSetAvailable").build())
                    .endStatus();
        }
        if (!crashing.contains(image) && !silent.contains(image)) {
            // pods serve before the controller reports them available
            if (replicas == 0) {
                served.remove(key);
            } else {
                String before = served.put(key, image);
                if (!image.equals(before)) {
                    servedHistory.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(image);
                }
            }
        }
        try {
            client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(status.build()).updateStatus();
        } catch (KubernetesClientException e) {
            // a newer write arrived; its event follows
        }
    }

    /** What answers for {@code namespace/name} now: nothing once its Deployment is gone (its pods go with it). */
    Optional<String> servedNow(String namespace, String name) {
        if (client.apps().deployments().inNamespace(namespace).withName(name).get() == null) {
            served.remove(namespace + "/" + name);
            return Optional.empty();
        }
        return Optional.ofNullable(served.get(namespace + "/" + name));
    }

    private void crashingPod(Deployment d, long generation, String image) {
        client.pods().inNamespace(d.getMetadata().getNamespace()).resource(new PodBuilder()
                .withNewMetadata()
                    .withName(d.getMetadata().getName() + "-" + generation + "-crash")
                    .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
                .endMetadata()
                .withNewSpec().addNewContainer().withName(FunctionManifests.CONTAINER).withImage(image).endContainer().endSpec()
                .withNewStatus()
                    .withPhase("Running")
                    .addNewContainerStatus().withName(FunctionManifests.CONTAINER).withImage(image).withReady(false)
                        .withRestartCount(4)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                            .withMessage("back-off 40s restarting failed container=function").endWaiting().endState()
                    .endContainerStatus()
                .endStatus()
                .build()).createOr(existing -> existing.update());
    }

    @Override
    public void close() throws InterruptedException {
        watch.close();
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }
}
