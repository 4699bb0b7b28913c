package dev.driftless.runtime.kubernetes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the operator decides for every function on Kubernetes; a stack.yml's {@code limits}/{@code requests},
 * {@code labels} and {@code annotations} apply per function within it.
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
 * @param pollInterval              how long at most a rollout waits between two looks at the informer's cache
 *                                  (it wakes on watch events; no API request either way)
 * @param namespacePrefix           prefix of the per-owner namespaces, e.g. {@code fn-}
 * @param gatewayNamespaceLabels    labels of the namespace the gateway runs in (NetworkPolicy source)
 * @param gatewayPodLabels          labels of the gateway's pods (NetworkPolicy source)
 * @param imagePullSecrets          pull secrets present in every owner namespace, if the registry needs them
 * @param nodeSelector              the functions' pods' {@code nodeSelector}
 * @param tolerations               the functions' pods' tolerations
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
        List<String> imagePullSecrets,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations,
        String labelPrefix) {

    private static final long MIB = 1024L * 1024L;
    /** The namespace label every namespace carries (Kubernetes 1.21+): how the NetworkPolicy finds the gateway's. */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    /** The daemon's manifests' namespace, when it does not run in a pod. */
    public static final String DEFAULT_NAMESPACE = "driftless";
    public static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    /**
     * A toleration of the functions' pods, written {@code key[=value][:effect]} as {@code kubectl taint} does:
     * with a value the operator is {@code Equal}, without one {@code Exists}; no effect tolerates every effect.
     */
    public record Toleration(String key, String operator, String value, String effect) {
        public Toleration {
            Objects.requireNonNull(operator, "operator");
        }

        public static Toleration parse(String text) {
            String rest = text.trim();
            String effect = null;
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                effect = rest.substring(colon + 1);
                rest = rest.substring(0, colon);
                if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                    throw new IllegalArgumentException("toleration '" + text
                            + "': the effect must be NoSchedule, PreferNoSchedule or NoExecute");
                }
            }
            int eq = rest.indexOf('=');
            String key = eq >= 0 ? rest.substring(0, eq) : rest;
            String value = eq >= 0 ? rest.substring(eq + 1) : null;
            if (!KubeNames.isQualifiedName(key) || (value != null && !KubeNames.isLabelValue(value))) {
                throw new IllegalArgumentException("toleration '" + text + "' is not key[=value][:effect]");
            }
            return new Toleration(key, value == null ? "Exists" : "Equal", value, effect);
        }
    }

    public KubernetesRuntimeConfig {
        Objects.requireNonNull(rolloutTimeout, "rolloutTimeout");
        Objects.requireNonNull(pollInterval, "pollInterval");
        gatewayNamespaceLabels = Map.copyOf(gatewayNamespaceLabels);
        gatewayPodLabels = Map.copyOf(gatewayPodLabels);
        imagePullSecrets = List.copyOf(imagePullSecrets);
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = List.copyOf(tolerations);
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
        labelProblems(problems, "gateway namespace label", gatewayNamespaceLabels);
        labelProblems(problems, "gateway pod label", gatewayPodLabels);
        labelProblems(problems, "nodeSelector", nodeSelector);
        imagePullSecrets.stream().filter(s -> !KubeNames.isDnsSubdomain(s))
                .forEach(s -> problems.append("; imagePullSecret is not a valid name: ").append(s));
        if (problems.length() > 0) {
            // every problem in one error, so an operator fixes the configuration in one go
            throw new IllegalArgumentException("invalid Kubernetes runtime configuration" + problems);
        }
    }

    private static void labelProblems(StringBuilder problems, String what, Map<String, String> labels) {
        labels.forEach((k, v) -> {
            if (!KubeNames.isQualifiedName(k) || !KubeNames.isLabelValue(v)) {
                problems.append("; ").append(what).append(" '").append(k).append('=').append(v).append("' is not a valid label");
            }
        });
    }

    /** Defaults fit for a small cluster: 64Mi/128Mi memory capped at 1Gi, 50m cpu capped at 1 core, no cpu limit. */
    public static KubernetesRuntimeConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public KubernetesRuntimeConfig withRollout(int progressDeadlineSeconds, Duration rolloutTimeout, Duration pollInterval) {
        return toBuilder().rollout(progressDeadlineSeconds, rolloutTimeout, pollInterval).build();
    }

    public KubernetesRuntimeConfig withImagePullSecret(String secret) {
        return toBuilder().imagePullSecrets(List.of(secret)).build();
    }

    /**
     * The namespace this process runs in, from its service account ({@code /var/run/secrets/kubernetes.io/
     * serviceaccount/namespace}), or {@value #DEFAULT_NAMESPACE} outside a pod.
     */
    public static String ownNamespace() {
        return ownNamespace(SERVICE_ACCOUNT_NAMESPACE);
    }

    public static String ownNamespace(Path serviceAccountNamespace) {
        try {
            String name = Files.readString(serviceAccountNamespace).trim();
            return name.isEmpty() ? DEFAULT_NAMESPACE : name;
        } catch (IOException e) {
            return DEFAULT_NAMESPACE;
        }
    }

    /** Starts from the defaults; {@link #build} validates everything at once. */
    public static final class Builder {
        private long defaultMemoryRequestBytes = 64 * MIB;
        private long defaultMemoryLimitBytes = 128 * MIB;
        private long maxMemoryBytes = 1024 * MIB;
        private long defaultCpuRequestMillis = 50;
        private long defaultCpuLimitMillis = 0;
        private long maxCpuMillis = 1000;
        private int replicas = 1;
        private int progressDeadlineSeconds = 120;
        private Duration rolloutTimeout = Duration.ofSeconds(180);
        private Duration pollInterval = Duration.ofSeconds(1);
        private String namespacePrefix = "fn-";
        private Map<String, String> gatewayNamespaceLabels = Map.of(NAMESPACE_NAME_LABEL, DEFAULT_NAMESPACE);
        private Map<String, String> gatewayPodLabels = Map.of("app.kubernetes.io/name", "driftless");
        private List<String> imagePullSecrets = List.of();
        private Map<String, String> nodeSelector = Map.of();
        private List<Toleration> tolerations = List.of();
        private String labelPrefix = "driftless.dev/";

        private Builder() { }

        private Builder(KubernetesRuntimeConfig c) {
            defaultMemoryRequestBytes = c.defaultMemoryRequestBytes;
            defaultMemoryLimitBytes = c.defaultMemoryLimitBytes;
            maxMemoryBytes = c.maxMemoryBytes;
            defaultCpuRequestMillis = c.defaultCpuRequestMillis;
            defaultCpuLimitMillis = c.defaultCpuLimitMillis;
            maxCpuMillis = c.maxCpuMillis;
            replicas = c.replicas;
            progressDeadlineSeconds = c.progressDeadlineSeconds;
            rolloutTimeout = c.rolloutTimeout;
            pollInterval = c.pollInterval;
            namespacePrefix = c.namespacePrefix;
            gatewayNamespaceLabels = c.gatewayNamespaceLabels;
            gatewayPodLabels = c.gatewayPodLabels;
            imagePullSecrets = c.imagePullSecrets;
            nodeSelector = c.nodeSelector;
            tolerations = c.tolerations;
            labelPrefix = c.labelPrefix;
        }

        public Builder memory(long requestBytes, long limitBytes, long maxBytes) {
            defaultMemoryRequestBytes = requestBytes;
            defaultMemoryLimitBytes = limitBytes;
            maxMemoryBytes = maxBytes;
            return this;
        }

        /** Millicores; a limit of 0 means no cpu limit. */
        public Builder cpu(long requestMillis, long limitMillis, long maxMillis) {
            defaultCpuRequestMillis = requestMillis;
            defaultCpuLimitMillis = limitMillis;
            maxCpuMillis = maxMillis;
            return this;
        }

        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        public Builder rollout(int progressDeadlineSeconds, Duration rolloutTimeout, Duration pollInterval) {
            this.progressDeadlineSeconds = progressDeadlineSeconds;
            this.rolloutTimeout = rolloutTimeout;
            this.pollInterval = pollInterval;
            return this;
        }

        public Builder namespacePrefix(String prefix) {
            this.namespacePrefix = prefix;
            return this;
        }

        /** The gateway runs in {@code namespace}: the NetworkPolicy admits pods from there. */
        public Builder gatewayNamespace(String namespace) {
            this.gatewayNamespaceLabels = Map.of(NAMESPACE_NAME_LABEL, namespace);
            return this;
        }

        public Builder gatewayPodLabels(Map<String, String> labels) {
            this.gatewayPodLabels = labels;
            return this;
        }

        public Builder imagePullSecrets(List<String> secrets) {
            this.imagePullSecrets = secrets;
            return this;
        }

        public Builder nodeSelector(Map<String, String> selector) {
            this.nodeSelector = selector;
            return this;
        }

        public Builder tolerations(List<Toleration> tolerations) {
            this.tolerations = tolerations;
            return this;
        }

        public Builder labelPrefix(String prefix) {
            this.labelPrefix = prefix;
            return this;
        }

        public KubernetesRuntimeConfig build() {
            return new KubernetesRuntimeConfig(defaultMemoryRequestBytes, defaultMemoryLimitBytes, maxMemoryBytes,
                    defaultCpuRequestMillis, defaultCpuLimitMillis, maxCpuMillis, replicas, progressDeadlineSeconds,
                    rolloutTimeout, pollInterval, namespacePrefix, gatewayNamespaceLabels, gatewayPodLabels,
                    imagePullSecrets, nodeSelector, tolerations, labelPrefix);
        }
    }
}
