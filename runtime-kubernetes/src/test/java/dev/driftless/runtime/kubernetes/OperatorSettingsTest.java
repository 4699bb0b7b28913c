package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

/**
 * What the operator sets for every function (pull secrets, replicas, default resources, node selector,
 * tolerations, the gateway's namespace) shows up in what is written; the stack's limits still win per function.
 */
class OperatorSettingsTest {
    @TempDir
    Path dir;
    private MockCluster cluster;
    private KubernetesClient api;
    private FakeDeploymentController controller;
    private KubernetesRuntime runtime;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        api = cluster.controllerClient;
        controller = new FakeDeploymentController(api);
        KubernetesRuntimeConfig config = KubernetesRuntimeConfig.builder()
                .rollout(2, Duration.ofSeconds(3), Duration.ofMillis(10))
                .imagePullSecrets(List.of("registry-login", "mirror-login"))
                .replicas(2)
                .memory(96L << 20, 192L << 20, 2048L << 20)
                .cpu(100, 500, 2000)
                .nodeSelector(Map.of("pool", "functions"))
                .tolerations(List.of(KubernetesRuntimeConfig.Toleration.parse("dedicated=functions:NoSchedule"),
                        KubernetesRuntimeConfig.Toleration.parse("spot")))
                .gatewayNamespace("platform")
                .build();
        runtime = new KubernetesRuntime(cluster.runtimeClient, config);
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        controller.close();
        cluster.close();
    }

    @Test
    void theOperatorsSettingsAreWrittenAndTheStacksLimitsWinPerFunction() throws Exception {
        FunctionDeployment plain = new FunctionDeployment("alice", "fns", "plain", KubernetesRuntimeContractTest.V1, "c1", 1,
                Map.of(), List.of(), Map.of(), Map.of(), FunctionDeployment.Resources.none(), true);
        FunctionDeployment sized = new FunctionDeployment("alice", "fns", "sized", KubernetesRuntimeContractTest.V1, "c1", 1,
                Map.of(), List.of(), Map.of("tier", "gold"), Map.of("owner-note", "big"),
                new FunctionDeployment.Resources(Optional.of(300L << 20), Optional.of(600L << 20), Optional.of(250L),
                        Optional.of(1000L)), true);
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, runtime.deploy(plain).outcome());
        assertEquals(RolloutResult.Outcome.ROLLED_OUT, runtime.deploy(sized).outcome());

        Deployment d = api.apps().deployments().inNamespace("fn-alice").withName("plain").get();
        assertEquals(2, d.getSpec().getReplicas());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals(List.of(new LocalObjectReference("registry-login"), new LocalObjectReference("mirror-login")),
                pod.getImagePullSecrets());
        assertEquals(Map.of("pool", "functions"), pod.getNodeSelector());
        assertEquals(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("functions")
                        .withEffect("NoSchedule").build(), new TolerationBuilder().withKey("spot").withOperator("Exists").build()),
                pod.getTolerations());
        var resources = pod.getContainers().get(0).getResources();
        assertEquals(Map.of("memory", new Quantity("96Mi"), "cpu", new Quantity("100m")), resources.getRequests());
        assertEquals(Map.of("memory", new Quantity("192Mi"), "cpu", new Quantity("500m")), resources.getLimits());

        Deployment big = api.apps().deployments().inNamespace("fn-alice").withName("sized").get();
        var own = big.getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
        assertEquals(Map.of("memory", new Quantity("300Mi"), "cpu", new Quantity("250m")), own.getRequests(), "the stack's requests");
        assertEquals(Map.of("memory", new Quantity("600Mi"), "cpu", new Quantity("1")), own.getLimits(), "the stack's limits");
        assertEquals("gold", big.getSpec().getTemplate().getMetadata().getLabels().get("tier"), "the stack's labels");
        assertEquals("big", big.getMetadata().getAnnotations().get("owner-note"), "the stack's annotations");

        var from = api.network().v1().networkPolicies().inNamespace("fn-alice").withName("driftless-gateway-only").get()
                .getSpec().getIngress().get(0).getFrom().get(0);
        assertEquals(Map.of("kubernetes.io/metadata.name", "platform"), from.getNamespaceSelector().getMatchLabels(),
                "only the gateway's own namespace is let in");
    }

    @Test
    void badSettingsAreRefusedAllAtOnceAndTheOwnNamespaceIsReadFromTheServiceAccount() throws Exception {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> KubernetesRuntimeConfig.builder()
                .replicas(0).imagePullSecrets(List.of("Not_A_Name")).nodeSelector(Map.of("pool", "no spaces")).build());
        assertTrue(bad.getMessage().contains("replicas must be at least 1"), bad.getMessage());
        assertTrue(bad.getMessage().contains("imagePullSecret is not a valid name: Not_A_Name"), bad.getMessage());
        assertTrue(bad.getMessage().contains("nodeSelector 'pool=no spaces' is not a valid label"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KubernetesRuntimeConfig.Toleration.parse("key:Sometimes"));

        Path namespace = Files.writeString(dir.resolve("namespace"), "platform\n");
        assertEquals("platform", KubernetesRuntimeConfig.ownNamespace(namespace));
        assertEquals("driftless", KubernetesRuntimeConfig.ownNamespace(dir.resolve("absent")));
    }
}
