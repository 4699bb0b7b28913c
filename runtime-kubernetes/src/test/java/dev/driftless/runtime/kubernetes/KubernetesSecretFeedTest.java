package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secrets fed from the daemon's store become Secrets of ours in {@code fn-<owner>}, kept equal to the store. */
class KubernetesSecretFeedTest {
    private MockCluster cluster;
    private KubernetesClient api;
    private FakeDeploymentController controller;
    private KubernetesRuntime runtime;
    private final Map<String, byte[]> store = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        api = cluster.controllerClient;
        controller = new FakeDeploymentController(api);
        runtime = new KubernetesRuntime(cluster.runtimeClient, KubernetesRuntimeConfig.defaults()
                .withRollout(2, Duration.ofSeconds(3), Duration.ofMillis(10)))
                .withSecrets((owner, name) -> Optional.ofNullable(store.get(owner + "/" + name)));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        controller.close();
        cluster.close();
    }

    private static FunctionDeployment fn(String owner, String image, int release, String... secrets) {
        return new FunctionDeployment(owner, "fns", "hello", image, "c" + release, release, Map.of(), List.of(secrets),
                Map.of(), Map.of(), FunctionDeployment.Resources.none(), true);
    }

    private String value(String namespace, String name) {
        Secret secret = api.secrets().inNamespace(namespace).withName(name).get();
        return new String(Base64.getDecoder().decode(secret.getData().get(name)), StandardCharsets.UTF_8);
    }

    @Test
    void storedSecretsAreWrittenBeforeTheRolloutAndKeptEqual() throws Exception {
        store.put("alice/api-key", "v1-key".getBytes(StandardCharsets.UTF_8));
        RolloutResult first = runtime.deploy(fn("alice", KubernetesRuntimeContractTest.V1, 1, "api-key"));
        assertFalse(first.failed(), first.message());
        assertEquals("v1-key", value("fn-alice", "api-key"));
        assertEquals("driftless", api.secrets().inNamespace("fn-alice").withName("api-key").get()
                .getMetadata().getLabels().get(OurKeys.MANAGED_BY));

        store.put("alice/api-key", "v2-key".getBytes(StandardCharsets.UTF_8));
        assertFalse(runtime.deploy(fn("alice", KubernetesRuntimeContractTest.V2, 2, "api-key")).failed());
        assertEquals("v2-key", value("fn-alice", "api-key"), "a changed value is written at the next deploy");
    }

    @Test
    void aMissingSecretFailsTheRolloutByNameAndAForeignSecretIsNotOverwritten() throws Exception {
        RolloutResult missing = runtime.deploy(fn("bob", KubernetesRuntimeContractTest.V1, 1, "db-password"));
        assertTrue(missing.failed());
        assertEquals("SecretNotFound", missing.reason());
        assertTrue(missing.message().contains("db-password"), missing.message());
        assertTrue(api.apps().deployments().inNamespace("fn-bob").list().getItems().isEmpty(), "nothing rolled out");

        // A Secret made by hand keeps working when the store has none of that name...
        api.secrets().inNamespace("fn-bob").resource(new SecretBuilder().withNewMetadata().withName("db-password")
                .endMetadata().withData(Map.of("db-password", Base64.getEncoder().encodeToString("hand".getBytes())))
                .build()).create();
        assertFalse(runtime.deploy(fn("bob", KubernetesRuntimeContractTest.V1, 1, "db-password")).failed());
        // ...and is not overwritten by a stored one: the owner is told to choose.
        store.put("bob/db-password", "stored".getBytes(StandardCharsets.UTF_8));
        RolloutResult foreign = runtime.deploy(fn("bob", KubernetesRuntimeContractTest.V2, 2, "db-password"));
        assertEquals("NotOurs", foreign.reason());
        assertEquals("hand", value("fn-bob", "db-password"));
    }
}
