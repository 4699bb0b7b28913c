package dev.driftless.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What differs between a desired object and the one the API server holds, in the fields we set. Fields the
 * server or a controller adds (defaults, status, revision annotations) are not ours and are not compared,
 * so a real cluster does not look drifted forever; a hand edit to anything we set is seen.
 */
final class DeploymentDrift {
    private DeploymentDrift() {
    }

    /** Each difference as a phrase for the event, e.g. {@code "image changed to x@sha256:…"}; empty when equal. */
    static List<String> of(Deployment desired, Deployment actual, String specHashKey) {
        List<String> drift = new ArrayList<>();
        String wantHash = desired.getMetadata().getAnnotations().get(specHashKey);
        String haveHash = annotations(actual.getMetadata()).get(specHashKey);
        if (!Objects.equals(wantHash, haveHash)) {
            drift.add("spec-hash " + haveHash + " is not " + wantHash);
        }
        if (!contains(actual.getMetadata().getLabels(), desired.getMetadata().getLabels())) {
            drift.add("labels edited");
        }
        if (!contains(annotations(actual.getMetadata()), desired.getMetadata().getAnnotations())) {
            drift.add("annotations edited");
        }
        var want = desired.getSpec();
        var have = actual.getSpec();
        if (have == null) {
            drift.add("spec missing");
            return drift;
        }
        if (!Objects.equals(want.getReplicas(), have.getReplicas())) {
            drift.add("scaled to " + have.getReplicas() + " replicas (want " + want.getReplicas() + ")");
        }
        if (!Objects.equals(want.getStrategy(), have.getStrategy())) {
            drift.add("rollout strategy edited");
        }
        if (!Objects.equals(want.getProgressDeadlineSeconds(), have.getProgressDeadlineSeconds())) {
            drift.add("progress deadline edited");
        }
        if (have.getTemplate() == null || have.getTemplate().getSpec() == null) {
            drift.add("pod template missing");
            return drift;
        }
        if (!contains(have.getTemplate().getMetadata() == null ? null : have.getTemplate().getMetadata().getLabels(),
                want.getTemplate().getMetadata().getLabels())) {
            drift.add("pod labels edited");
        }
        pod(want.getTemplate().getSpec(), have.getTemplate().getSpec(), drift);
        return drift;
    }

    private static void pod(PodSpec want, PodSpec have, List<String> drift) {
        if (!Objects.equals(want.getAutomountServiceAccountToken(), have.getAutomountServiceAccountToken())
                || !Objects.equals(want.getSecurityContext(), have.getSecurityContext())) {
            drift.add("pod security context edited");
        }
        if (!Objects.equals(want.getVolumes(), have.getVolumes())) {
            drift.add("volumes edited");
        }
        if (!Objects.equals(want.getImagePullSecrets(), have.getImagePullSecrets())) {
            drift.add("image pull secrets edited");
        }
        Container w = want.getContainers().get(0);
        Optional<Container> found = have.getContainers().stream().filter(c -> w.getName().equals(c.getName())).findFirst();
        if (found.isEmpty() || have.getContainers().size() != 1) {
            drift.add("containers edited");
            return;
        }
        Container h = found.get();
        if (!Objects.equals(w.getImage(), h.getImage())) {
            drift.add("image changed to " + h.getImage());
        }
        if (!Objects.equals(w.getEnv(), h.getEnv())) {
            drift.add("environment edited");
        }
        if (!Objects.equals(w.getResources().getRequests(), h.getResources() == null ? null : h.getResources().getRequests())
                || !Objects.equals(w.getResources().getLimits(), h.getResources() == null ? null : h.getResources().getLimits())) {
            drift.add("resources edited");
        }
        if (!Objects.equals(w.getSecurityContext(), h.getSecurityContext())) {
            drift.add("container security context edited");
        }
        if (!Objects.equals(w.getReadinessProbe(), h.getReadinessProbe()) || !Objects.equals(w.getLivenessProbe(), h.getLivenessProbe())) {
            drift.add("probes edited");
        }
        if (!Objects.equals(w.getPorts(), h.getPorts()) || !Objects.equals(w.getVolumeMounts(), h.getVolumeMounts())
                || !Objects.equals(w.getCommand(), h.getCommand()) || !Objects.equals(w.getArgs(), h.getArgs())) {
            drift.add("ports, mounts or command edited");
        }
    }

    /** What differs in a Service's fields we set; the server-assigned cluster IP is not ours. */
    static List<String> of(Service desired, Service actual) {
        List<String> drift = new ArrayList<>();
        if (!contains(actual.getMetadata().getLabels(), desired.getMetadata().getLabels())) {
            drift.add("service labels edited");
        }
        var have = actual.getSpec();
        var want = desired.getSpec();
        if (have == null || !Objects.equals(want.getSelector(), have.getSelector())
                || !Objects.equals(want.getType(), have.getType())
                || !Objects.equals(want.getPorts().stream().map(p -> p.getPort() + "/" + p.getTargetPort()).toList(),
                        have.getPorts().stream().map(p -> p.getPort() + "/" + p.getTargetPort()).toList())) {
            drift.add("service spec edited");
        }
        return drift;
    }

    static boolean contains(Map<String, String> actual, Map<String, String> wanted) {
        Map<String, String> have = actual == null ? Map.of() : actual;
        return wanted.entrySet().stream().allMatch(e -> Objects.equals(have.get(e.getKey()), e.getValue()));
    }

    private static Map<String, String> annotations(ObjectMeta meta) {
        return meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    }
}
