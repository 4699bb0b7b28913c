package dev.driftless.reconciler.e2e;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Points clients built "the usual way" (fabric8's system properties) at a mock API server, and puts the
 * properties back as they were on close.
 */
public final class KubernetesClientProperties implements AutoCloseable {
    private static final List<String> PROPERTIES = List.of("kubernetes.master", "kubernetes.auth.tryKubeConfig",
            "kubernetes.auth.tryServiceAccount", "kubernetes.trust.certificates", "kubernetes.namespace");
    private final Map<String, String> saved = new HashMap<>();

    private KubernetesClientProperties(String masterUrl) {
        for (String property : PROPERTIES) {
            saved.put(property, System.getProperty(property));
        }
        System.setProperty("kubernetes.master", masterUrl);
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        System.setProperty("kubernetes.trust.certificates", "true");
        System.setProperty("kubernetes.namespace", "driftless");
    }

    public static KubernetesClientProperties pointAt(String masterUrl) {
        return new KubernetesClientProperties(masterUrl);
    }

    @Override
    public void close() {
        for (String property : PROPERTIES) {
            String value = saved.get(property);
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        }
    }
}
