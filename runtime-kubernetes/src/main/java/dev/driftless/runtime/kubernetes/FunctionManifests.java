package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.FunctionDeployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The desired Deployment and Service of one function, built fresh with typed builders from the
 * reconciler's {@link FunctionDeployment} and the operator's configuration. Pure: no API calls.
 */
final class FunctionManifests {
    static final String CONTAINER = "function";
    static final int PORT = 8080;
    static final String HEALTH_PATH = "/_/health";
    /** Where OpenFaaS mounts secrets; a handler reads {@code /var/openfaas/secrets/<name>}. */
    static final String SECRETS_PATH = "/var/openfaas/secrets";
    static final long RUN_AS = 10001L;

    private final KubernetesRuntimeConfig config;
    private final OurKeys keys;
    private final ResourcePolicy resources;

    FunctionManifests(KubernetesRuntimeConfig config) {
        this.config = config;
        this.keys = new OurKeys(config.labelPrefix());
        this.resources = new ResourcePolicy(config);
    }

    /** The desired objects and the hash of everything in them that a release decides. */
    record Desired(Deployment deployment, Service service, String specHash, Map<String, String> selector) { }

    Desired desired(FunctionDeployment fn, OwnerNamespace namespace) throws InvalidFunctionSpec {
        validate(fn);
        Map<String, String> selector = new TreeMap<>(Map.of(
                keys.owner(), namespace.ownerLabel(),
                keys.function(), fn.function()));
        Map<String, String> labels = labels(fn, namespace);
        Map<String, String> annotations = new TreeMap<>();
        fn.annotations().forEach((k, v) -> {
            if (!keys.isOurs(k)) {
                annotations.put(k, v);
            }
        });
        annotations.put(keys.commit(), fn.commit());
        annotations.put(keys.release(), Integer.toString(fn.release()));
        annotations.put(keys.image(), fn.image());
        if (!KubeNames.isLabelValue(fn.repository())) {
            annotations.put(keys.repositoryName(), fn.repository());
        }

        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                    .withName(fn.function())
                    .withNamespace(namespace.name())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                    .withReplicas(config.replicas())
                    .withRevisionHistoryLimit(5)
                    .withProgressDeadlineSeconds(config.progressDeadlineSeconds())
                    .withNewSelector().withMatchLabels(selector).endSelector()
                    // maxUnavailable 0: the old pods serve until the new ones are ready
                    .withNewStrategy()
                        .withType("RollingUpdate")
                        .withNewRollingUpdate()
                            .withMaxUnavailable(new IntOrString(0))
                            .withMaxSurge(new IntOrString(1))
                        .endRollingUpdate()
                    .endStrategy()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withAutomountServiceAccountToken(false)
                            // no env vars describing the namespace's other services
                            .withEnableServiceLinks(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(RUN_AS)
                                .withRunAsGroup(RUN_AS)
                                .withFsGroup(RUN_AS)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withImagePullSecrets(config.imagePullSecrets().stream()
                                    .map(LocalObjectReference::new).toList())
                            .withNodeSelector(config.nodeSelector().isEmpty() ? null : new TreeMap<>(config.nodeSelector()))
                            .withTolerations(config.tolerations().stream().map(FunctionManifests::toleration).toList())
                            .withContainers(container(fn))
                            .withVolumes(volumes(fn))
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();

        Service service = new ServiceBuilder()
                .withNewMetadata()
                    .withName(fn.function())
                    .withNamespace(namespace.name())
                    .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                    .withType("ClusterIP")
                    .withSelector(selector)
                    .addNewPort().withName("http").withProtocol("TCP").withPort(PORT)
                        .withTargetPort(new IntOrString(PORT)).endPort()
                .endSpec()
                .build();

        String hash = KubeNames.sha256Hex(Serialization.asJson(deployment.getSpec())
                + Serialization.asJson(deployment.getMetadata().getLabels())
                + Serialization.asJson(deployment.getMetadata().getAnnotations())
                + Serialization.asJson(service.getSpec())).substring(0, 20);
        deployment.getMetadata().getAnnotations().put(keys.specHash(), hash);
        return new Desired(deployment, service, hash, selector);
    }

    private static Toleration toleration(KubernetesRuntimeConfig.Toleration t) {
        return new TolerationBuilder().withKey(t.key()).withOperator(t.operator()).withValue(t.value())
                .withEffect(t.effect()).build();
    }

    /** Ours win over the stack's: a stack cannot claim another owner, repository or function. */
    private Map<String, String> labels(FunctionDeployment fn, OwnerNamespace namespace) {
        Map<String, String> labels = new TreeMap<>();
        fn.labels().forEach((k, v) -> {
            if (!keys.isOurs(k)) {
                labels.put(k, v);
            }
        });
        labels.put(OurKeys.NAME, fn.function());
        labels.put(OurKeys.MANAGED_BY, OurKeys.MANAGER);
        labels.put(keys.owner(), namespace.ownerLabel());
        labels.put(keys.repository(), KubeNames.labelValue(fn.repository()));
        labels.put(keys.function(), fn.function());
        return labels;
    }

    private Container container(FunctionDeployment fn) {
        List<EnvVar> env = new ArrayList<>();
        new TreeMap<>(fn.environment()).forEach((k, v) -> {
            if (!k.equals("PORT")) {
                env.add(new EnvVarBuilder().withName(k).withValue(v).build());
            }
        });
        // the probes and the Service expect the function on 8080, whatever the stack says
        env.add(new EnvVarBuilder().withName("PORT").withValue(Integer.toString(PORT)).build());
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        if (!fn.secrets().isEmpty()) {
            mounts.add(new VolumeMountBuilder().withName("secrets").withMountPath(SECRETS_PATH).withReadOnly(true).build());
        }
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(fn.image())
                .withImagePullPolicy("IfNotPresent")
                .addNewPort().withName("http").withContainerPort(PORT).withProtocol("TCP").endPort()
                .withEnv(env)
                .withResources(resources.requirements(fn.resources()))
                .withReadinessProbe(probe(2, 3))
                .withLivenessProbe(probe(10, 3))
                .withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withRunAsUser(RUN_AS)
                    .withReadOnlyRootFilesystem(fn.readOnlyRootFilesystem())
                    .withAllowPrivilegeEscalation(false)
                    .withPrivileged(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withVolumeMounts(mounts)
                .build();
    }

    // Every field the API server would default is set, so what we read back compares equal.
    private static Probe probe(int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(HEALTH_PATH).withPort(new IntOrString(PORT)).withScheme("HTTP").endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(1)
                .withSuccessThreshold(1)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    /**
     * {@code /tmp} is writable even with a read-only root. Secrets are referenced, never copied: one projected
     * volume over the named Secrets at {@code /var/openfaas/secrets}, as faas-netes mounts them, so a
     * handler written for OpenFaaS reads {@code /var/openfaas/secrets/<name>} here too.
     */
    private static List<Volume> volumes(FunctionDeployment fn) {
        List<Volume> volumes = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        if (!fn.secrets().isEmpty()) {
            volumes.add(new VolumeBuilder().withName("secrets")
                    .withNewProjected()
                        .withDefaultMode(0444)
                        .withSources(fn.secrets().stream().sorted().distinct()
                                .map(s -> new VolumeProjectionBuilder().withNewSecret().withName(s).endSecret().build())
                                .toList())
                    .endProjected()
                    .build());
        }
        return volumes;
    }

    private void validate(FunctionDeployment fn) throws InvalidFunctionSpec {
        List<String> problems = new ArrayList<>();
        if (!KubeNames.isDnsLabel(fn.function())) {
            problems.add("function name '" + fn.function() + "' is not a DNS-1123 label (a-z, 0-9, '-', at most 63)");
        }
        if (fn.repository() == null || fn.repository().isBlank()) {
            problems.add("a repository is required");
        }
        if (fn.image() == null || !fn.image().matches("[^@\\s]+@sha256:[0-9a-f]{64}")) {
            problems.add("image '" + fn.image() + "' is not referenced by digest (repository@sha256:…)");
        }
        fn.environment().keySet().stream().filter(k -> k.isEmpty() || k.contains("="))
                .forEach(k -> problems.add("environment variable name '" + k + "' is invalid"));
        fn.secrets().stream().filter(s -> !KubeNames.isDnsSubdomain(s))
                .forEach(s -> problems.add("secret name '" + s + "' is not a valid Kubernetes name"));
        fn.labels().forEach((k, v) -> {
            if (!keys.isOurs(k) && (!KubeNames.isQualifiedName(k) || !KubeNames.isLabelValue(v))) {
                problems.add("label '" + k + ": " + v + "' is not a valid Kubernetes label");
            }
        });
        fn.annotations().keySet().stream().filter(k -> !keys.isOurs(k) && !KubeNames.isQualifiedName(k))
                .forEach(k -> problems.add("annotation key '" + k + "' is not a valid Kubernetes key"));
        if (!problems.isEmpty()) {
            throw new InvalidFunctionSpec(String.join("; ", problems));
        }
    }
}
