package dev.driftless.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

import java.util.Map;
import java.util.TreeMap;

/** The desired namespace of an owner and the NetworkPolicy that walls it off. Pure: no API calls. */
final class OwnerManifests {
    static final String NETWORK_POLICY = "driftless-gateway-only";

    private final KubernetesRuntimeConfig config;
    private final OurKeys keys;

    OwnerManifests(KubernetesRuntimeConfig config) {
        this.config = config;
        this.keys = new OurKeys(config.labelPrefix());
    }

    Map<String, String> labels(OwnerNamespace namespace) {
        return new TreeMap<>(Map.of(OurKeys.MANAGED_BY, OurKeys.MANAGER, keys.owner(), namespace.ownerLabel()));
    }

    Namespace namespace(OwnerNamespace namespace) {
        return new NamespaceBuilder()
                .withNewMetadata().withName(namespace.name()).withLabels(labels(namespace)).endMetadata()
                .build();
    }

    /**
     * Selects every pod of the namespace with policy type Ingress and one rule: so the only traffic that
     * reaches a function comes from the gateway's pods on 8080, and everything else (other owners' functions,
     * other namespaces, this owner's other functions) is denied. Egress stays open: functions call out.
     */
    NetworkPolicy networkPolicy(OwnerNamespace namespace) {
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                    .withName(NETWORK_POLICY)
                    .withNamespace(namespace.name())
                    .withLabels(labels(namespace))
                .endMetadata()
                .withNewSpec()
                    .withNewPodSelector().endPodSelector()
                    .withPolicyTypes("Ingress")
                    .addNewIngress()
                        .addNewFrom()
                            .withNewNamespaceSelector().withMatchLabels(new TreeMap<>(config.gatewayNamespaceLabels())).endNamespaceSelector()
                            .withNewPodSelector().withMatchLabels(new TreeMap<>(config.gatewayPodLabels())).endPodSelector()
                        .endFrom()
                        .addNewPort().withProtocol("TCP").withPort(new IntOrString(FunctionManifests.PORT)).endPort()
                    .endIngress()
                .endSpec()
                .build();
    }
}
