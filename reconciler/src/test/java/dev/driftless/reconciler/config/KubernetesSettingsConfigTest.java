package dev.driftless.reconciler.config;

import dev.driftless.runtime.kubernetes.KubernetesRuntimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every knob of the Kubernetes runtime from the file and the environment; the gateway's namespace is the daemon's own. */
class KubernetesSettingsConfigTest {
    @TempDir
    Path dir;

    private KubernetesRuntimeConfig load(Map<String, String> env, Optional<Path> file, Path serviceAccountNamespace) {
        return new ConfigLoader(env, serviceAccountNamespace).load(file).kubernetes();
    }

    @Test
    void defaultsAndTheGatewayNamespaceFromTheServiceAccount() throws Exception {
        Path namespace = Files.writeString(dir.resolve("namespace"), "platform\n");
        KubernetesRuntimeConfig config = load(Map.of(), Optional.empty(), namespace);
        assertEquals(KubernetesRuntimeConfig.defaults().toBuilder().gatewayNamespace("platform").build(), config);
        assertEquals(Map.of("kubernetes.io/metadata.name", "driftless"),
                load(Map.of(), Optional.empty(), dir.resolve("not-in-a-pod")).gatewayNamespaceLabels(), "outside a pod");
    }

    @Test
    void everyKnobFromTheFileAndTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("driftless.yml"), """
                kubernetes:
                  imagePullSecrets: [registry-login, mirror-login]
                  replicas: 3
                  memoryRequest: 96Mi
                  memoryLimit: 256MiB
                  maxMemory: 4Gi
                  cpuRequest: 100m
                  cpuLimit: "1.5"
                  maxCpu: 4
                  nodeSelector: [pool=functions, kubernetes.io/arch=amd64]
                  tolerations: ["dedicated=functions:NoSchedule", spot]
                  gatewayPodLabels: app=gateway
                  namespacePrefix: tenant-
                  progressDeadline: 5m
                  rolloutTimeout: 6m
                  pollInterval: 2s
                  labelPrefix: example.com/
                """);
        KubernetesRuntimeConfig config = load(Map.of("DRIFTLESS_K8S_GATEWAY_NAMESPACE", "edge",
                "DRIFTLESS_K8S_REPLICAS", "2"), Optional.of(file), dir.resolve("absent"));
        assertEquals(List.of("registry-login", "mirror-login"), config.imagePullSecrets());
        assertEquals(2, config.replicas(), "the environment wins");
        assertEquals(96L << 20, config.defaultMemoryRequestBytes());
        assertEquals(256L << 20, config.defaultMemoryLimitBytes());
        assertEquals(4L << 30, config.maxMemoryBytes());
        assertEquals(100, config.defaultCpuRequestMillis());
        assertEquals(1500, config.defaultCpuLimitMillis());
        assertEquals(4000, config.maxCpuMillis());
        assertEquals(Map.of("pool", "functions", "kubernetes.io/arch", "amd64"), config.nodeSelector());
        assertEquals(List.of(new KubernetesRuntimeConfig.Toleration("dedicated", "Equal", "functions", "NoSchedule"),
                new KubernetesRuntimeConfig.Toleration("spot", "Exists", null, null)), config.tolerations());
        assertEquals(Map.of("kubernetes.io/metadata.name", "edge"), config.gatewayNamespaceLabels());
        assertEquals(Map.of("app", "gateway"), config.gatewayPodLabels());
        assertEquals("tenant-", config.namespacePrefix());
        assertEquals(300, config.progressDeadlineSeconds());
        assertEquals(Duration.ofMinutes(6), config.rolloutTimeout());
        assertEquals(Duration.ofSeconds(2), config.pollInterval());
        assertEquals("example.com/", config.labelPrefix());
    }

    @Test
    void badValuesNameTheSetting() {
        assertEquals("DRIFTLESS_K8S_CPU_REQUEST: not a cpu quantity (e.g. 50m, 0.5, 2): 'lots'",
                assertThrows(ConfigException.class, () -> load(Map.of("DRIFTLESS_K8S_CPU_REQUEST", "lots"),
                        Optional.empty(), dir)).getMessage());
        assertEquals("DRIFTLESS_K8S_TOLERATIONS: toleration 'key:Sometimes': the effect must be NoSchedule, "
                        + "PreferNoSchedule or NoExecute", assertThrows(ConfigException.class, () -> load(Map.of(
                "DRIFTLESS_K8S_TOLERATIONS", "key:Sometimes"), Optional.empty(), dir)).getMessage());
        String combined = assertThrows(ConfigException.class, () -> load(Map.of("DRIFTLESS_K8S_MEMORY_REQUEST", "512Mi",
                "DRIFTLESS_K8S_MEMORY_LIMIT", "128Mi"), Optional.empty(), dir)).getMessage();
        assertTrue(combined.startsWith("DRIFTLESS_K8S_*: invalid Kubernetes runtime configuration; default memory request "
                + "exceeds the default limit"), combined);
    }
}
