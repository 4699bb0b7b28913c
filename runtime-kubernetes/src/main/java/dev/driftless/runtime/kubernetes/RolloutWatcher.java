package dev.driftless.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Waits for a Deployment's rollout as {@code kubectl rollout status} decides: done when the controller has seen
 * the new generation and every replica is updated and available; failed when the controller reports
 * {@code ProgressDeadlineExceeded} or our own time limit passes. It reads the informer's cache and wakes on the
 * Deployment's watch events ({@link ClusterCache}): no request while it waits. A cached Deployment older than
 * the one written (lower generation) is not judged: the event of our own write is still on its way.
 */
final class RolloutWatcher {
    private final KubernetesClient client;
    private final ClusterCache cache;
    private final Duration timeout;
    private final Duration interval;

    /** {@code interval}: how long at most between two looks at the cache, should an event be missed. */
    RolloutWatcher(KubernetesClient client, ClusterCache cache, Duration timeout, Duration interval) {
        this.client = client;
        this.cache = cache;
        this.timeout = timeout;
        this.interval = interval;
    }

    /**
     * @param available true when the new version serves
     * @param reason    {@code RolloutSucceeded}, a pod's waiting reason (e.g. {@code CrashLoopBackOff}),
     *                  {@code ProgressDeadlineExceeded}, {@code RolloutTimeout} or {@code DeploymentDeleted}
     * @param failingPod the pod of the new version that reported a waiting reason, if any
     */
    record Rollout(boolean available, String reason, String message, Optional<String> failingPod) { }

    Rollout await(String namespace, String name, long generation, String image, Map<String, String> selector)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String progress = "no status yet";
        boolean seen = false;
        while (true) {
            Optional<Deployment> cached = cache.deployment(namespace, name);
            if (cached.isEmpty() && seen) {
                return new Rollout(false, "DeploymentDeleted", "the Deployment was deleted during the rollout", Optional.empty());
            }
            if (cached.isPresent() && Optional.ofNullable(cached.get().getMetadata().getGeneration()).orElse(0L) >= generation) {
                seen = true;
                Deployment d = cached.get();
                DeploymentStatus status = d.getStatus();
                int replicas = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
                long want = Math.max(generation, Optional.ofNullable(d.getMetadata().getGeneration()).orElse(generation));
                if (status != null && status.getObservedGeneration() != null && status.getObservedGeneration() >= want) {
                    Optional<DeploymentCondition> deadlineExceeded = status.getConditions().stream()
                            .filter(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
                                    && "ProgressDeadlineExceeded".equals(c.getReason()))
                            .findFirst();
                    if (deadlineExceeded.isPresent()) {
                        return failed(namespace, image, selector, "ProgressDeadlineExceeded",
                                "no progress within " + d.getSpec().getProgressDeadlineSeconds() + "s ("
                                        + Objects.toString(deadlineExceeded.get().getMessage(), "") + ")");
                    }
                    int updated = orZero(status.getUpdatedReplicas());
                    int available = orZero(status.getAvailableReplicas());
                    int total = orZero(status.getReplicas());
                    if (updated >= replicas && available >= replicas && total <= updated && orZero(status.getUnavailableReplicas()) == 0) {
                        return new Rollout(true, "RolloutSucceeded", replicas + " of " + replicas + " replicas available", Optional.empty());
                    }
                    progress = updated + " of " + replicas + " updated, " + available + " available";
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return failed(namespace, image, selector, "RolloutTimeout",
                        "not available after " + timeout.toSeconds() + "s (" + progress + ")");
            }
            cache.awaitDeploymentChange(namespace, name, cached.map(d -> d.getMetadata().getResourceVersion()).orElse(null),
                    Duration.ofNanos(Math.min(left, interval.toNanos())));
        }
    }

    /** Names the failure by what a pod of the new version waits on, when one says: that is what a user fixes. */
    private Rollout failed(String namespace, String image, Map<String, String> selector, String reason, String message) {
        for (Pod pod : newPods(namespace, image, selector)) {
            List<ContainerStatus> statuses = pod.getStatus() == null ? List.of() : pod.getStatus().getContainerStatuses();
            for (ContainerStatus cs : statuses) {
                if (cs.getState() != null && cs.getState().getWaiting() != null && cs.getState().getWaiting().getReason() != null) {
                    var waiting = cs.getState().getWaiting();
                    return new Rollout(false, waiting.getReason(), "pod " + pod.getMetadata().getName() + ": "
                            + waiting.getReason() + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")")
                            + "; " + reason + ": " + message, Optional.of(pod.getMetadata().getName()));
                }
            }
        }
        return new Rollout(false, reason, message, Optional.empty());
    }

    /** Pods of the new ReplicaSet: ours by labels, running the new image. */
    List<Pod> newPods(String namespace, String image, Map<String, String> selector) {
        return client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
                .filter(p -> p.getSpec() != null && p.getSpec().getContainers().stream()
                        .anyMatch(c -> FunctionManifests.CONTAINER.equals(c.getName()) && image.equals(c.getImage())))
                .toList();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
