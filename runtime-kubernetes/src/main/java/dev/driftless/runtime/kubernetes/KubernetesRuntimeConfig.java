package dev.driftless.runtime.kubernetes;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the operator decides for every function on Kubernetes; nothing here comes from a stack.yml.
 *
 * @param defaultMemoryRequestBytes memory request when the stack sets none
 * @param defaultMemoryLimitBytes   memory limit when the stack sets none
 * @param maxMemoryBytes            cap on any memory request or limit
 * @param defaultCpuRequestMillis   cpu request when the stack sets none
 * @param defaultCpuLimitMillis     cpu limit when the stack sets none; 0 for no cpu limit
 * @param maxCpuMillis              cap on any cpu request or limit
 * @param replicas                  instances per function
 * @param progressDeadlineSeconds   the Deployment's {@code progressDeadlineSeconds}
 * @param rolloutTimeout            our own limit on waiting for a rollout, whatever the cluster reports
 * @param pollInterval              how often a rollout's status is read
 * @param namespacePrefix           prefix of the per-owner namespaces, e.g. {@code fn-}
 * @param gatewayNamespaceLabels    labels of the namespace the gateway runs in (NetworkPolicy source)
 * @param gatewayPodLabels          labels of the gateway's pods (NetworkPolicy source)
 * @param imagePullSecret           a pull secret present in every owner namespace, if the registry needs one
 * @param labelPrefix               prefix of our labels and annotations, {@code driftless.dev/}
 */
public record KubernetesRuntimeConfig(
        long defaultMemoryRequestBytes,
        long defaultMemoryLimitBytes,
        long maxMemoryBytes,
        long defaultCpuRequestMillis,
        long defaultCpuLimitMillis,
        long maxCpuMillis,
        int replicas,
        int progressDeadlineSeconds,
        Duration rolloutTimeout,
        Duration pollInterval,
        String namespacePrefix,
        Map<String, String> gatewayNamespaceLabels,
        Map<String, String> gatewayPodLabels,
        Optional<String> imagePullSecret,
        String labelPrefix) {

    private static final long MIB = 1024L * 1024L;

    public KubernetesRuntimeConfig {
        Objects.requireNonNull(rolloutTimeout, "rolloutTimeout");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(imagePullSecret, "imagePullSecret");
        gatewayNamespaceLabels = Map.copyOf(gatewayNamespaceLabels);
        gatewayPodLabels = Map.copyOf(gatewayPodLabels);
        StringBuilder problems = new StringBuilder();
        if (defaultMemoryRequestBytes <= 0 || defaultMemoryLimitBytes <= 0 || maxMemoryBytes <= 0) {
            problems.append("; memory defaults and cap must be positive");
        }
        if (defaultMemoryRequestBytes > defaultMemoryLimitBytes) {
            problems.append("; default memory request exceeds the default limit");
        }
        if (defaultCpuRequestMillis <= 0 || maxCpuMillis <= 0 || defaultCpuLimitMillis < 0) {
            problems.append("; cpu defaults and cap must be positive (limit 0 means none)");
        }
        if (replicas < 1) {
            problems.append("; replicas must be at least 1");
        }
        if (progressDeadlineSeconds < 1) {
            problems.append("; progressDeadlineSeconds must be at least 1");
        }
        if (rolloutTimeout.isNegative() || rolloutTimeout.isZero() || pollInterval.isNegative() || pollInterval.isZero()) {
            problems.append("; rolloutTimeout and pollInterval must be positive");
        }
        if (namespacePrefix == null || !namespacePrefix.matches("[a-z]([-a-z0-9]{0,14})")) {
            problems.append("; namespacePrefix must be a short DNS label start such as 'fn-'");
        }
        if (labelPrefix == null || !labelPrefix.endsWith("/")
                || !KubeNames.isDnsSubdomain(labelPrefix.substring(0, labelPrefix.length() - 1))) {
            problems.append("; labelPrefix must be a DNS subdomain followed by '/'");
        }
        if (gatewayNamespaceLabels.isEmpty() && gatewayPodLabels.isEmpty()) {
            problems.append("; the gateway's namespace or pod labels are needed for the NetworkPolicy");
        }
        imagePullSecret.filter(s -> !KubeNames.isDnsSubdomain(s))
                .ifPresent(s -> problems.append("; imagePullSecret is not a valid name: ").append(s));
        if (problems.length() > 0) {
            // every problem in one error, so an operator fixes the configuration in one go
            throw new IllegalArgumentException("invalid Kubernetes runtime configuration" + problems);
        }
    }

    /** Defaults fit for a small cluster: 64Mi/128Mi memory capped at 1Gi, 50m cpu capped at 1 core, no cpu limit. */
    public static KubernetesRuntimeConfig defaults() {
        return new KubernetesRuntimeConfig(64 * MIB, 128 * MIB, 1024 * MIB, 50, 0, 1000, 1, 120,
                Duration.ofSeconds(180), Duration.ofSeconds(1), "fn-",
                Map.of("kubernetes.io/metadata.name", "driftless"),
                Map.of("app.kubernetes.io/name", "driftless"),
                Optional.empty(), "driftless.dev/");
    }

    public KubernetesRuntimeConfig withRollout(int progressDeadlineSeconds, Duration rolloutTimeout, Duration pollInterval) {
        return new KubernetesRuntimeConfig(defaultMemoryRequestBytes, defaultMemoryLimitBytes, maxMemoryBytes,
                defaultCpuRequestMillis, defaultCpuLimitMillis, maxCpuMillis, replicas, progressDeadlineSeconds,
                rolloutTimeout, pollInterval, namespacePrefix, gatewayNamespaceLabels, gatewayPodLabels,
                imagePullSecret, labelPrefix);
    }

    public KubernetesRuntimeConfig withImagePullSecret(String secret) {
        return new KubernetesRuntimeConfig(defaultMemoryRequestBytes, defaultMemoryLimitBytes, maxMemoryBytes,
                defaultCpuRequestMillis, defaultCpuLimitMillis, maxCpuMillis, replicas, progressDeadlineSeconds,
                rolloutTimeout, pollInterval, namespacePrefix, gatewayNamespaceLabels, gatewayPodLabels,
                Optional.of(secret), labelPrefix);
    }
}
