package dev.driftless.reconciler.manifests;

import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.runtime.kubernetes.KubernetesRuntimeConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The example overlay shows the Kubernetes runtime's settings, and what it shows is what the daemon reads. */
class ExampleOverlaySettingsTest {
    @Test
    @SuppressWarnings("unchecked")
    void theOverlaysKubernetesSettingsLoad() throws Exception {
        Map<String, Object> configMap = new Yaml().load(Files.readString(Path.of("..", "manifests", "overlays", "example",
                "config.yaml")));
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) configMap.get("data")).forEach((key, value) -> {
            if (key.startsWith("DRIFTLESS_K8S_")) {
                env.put(key, String.valueOf(value));
            }
        });
        KubernetesRuntimeConfig k = new ConfigLoader(env).load(Optional.empty()).kubernetes();
        assertEquals(List.of("registry-login"), k.imagePullSecrets());
        assertEquals(2, k.replicas());
        assertEquals(256L << 20, k.defaultMemoryLimitBytes());
        assertEquals(Map.of("pool", "functions"), k.nodeSelector());
        assertEquals(List.of(KubernetesRuntimeConfig.Toleration.parse("dedicated=functions:NoSchedule")), k.tolerations());
        assertEquals(Map.of("kubernetes.io/metadata.name", "driftless"), k.gatewayNamespaceLabels());
    }
}
