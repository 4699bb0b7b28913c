package dev.driftless.runtime.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.runtime.RolloutResult.Outcome;
import dev.driftless.testsupport.Await;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

/**
 * The runtime facing an API server that fails: 500 on a write, 409 on an update, 410 Gone on the informers' watch,
 * 500 on the informers' list. Faults are injected on the mock API server ({@link MockCluster#inject}) in front of
 * its CRUD store. After each: the release that was asked for serves, or (while the fault lasts) the one before
 * still serves untouched; nothing half-written is left; the informers' cache agrees with the server.
 */
class KubernetesApiFaultsTest {
    private static final String V1 = KubernetesRuntimeContractTest.V1;
    private static final String V2 = KubernetesRuntimeContractTest.V2;
    private static final String DEPLOYMENT = "/apis/apps/v1/namespaces/fn-alice/deployments/hello";

    private MockCluster cluster;
    private FakeDeploymentController controller;
    private KubernetesRuntime runtime;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        controller = new FakeDeploymentController(cluster.controllerClient);
        runtime = new KubernetesRuntime(cluster.runtimeClient, KubernetesRuntimeConfig.defaults()
                .withRollout(2, Duration.ofSeconds(5), Duration.ofMillis(50)));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        controller.close();
        cluster.close();
    }

    private static FunctionDeployment hello(String image, int release) {
        return KubernetesRuntimeTest.fn("alice", "fns", "hello", image, release);
    }

    private Deployment deployment() {
        return cluster.controllerClient.apps().deployments().inNamespace("fn-alice").withName("hello").get();
    }

    private String image() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    @Test
    void a500OnTheReleasesWriteIsRetriedAndTheReleaseServes() throws Exception {
        assertEquals(Outcome.ROLLED_OUT, runtime.deploy(hello(V1, 1)).outcome());
        MockCluster.Fault fault = cluster.inject("PUT", p -> p.startsWith(DEPLOYMENT), 500, 2);

        RolloutResult result = runtime.deploy(hello(V2, 2));

        assertEquals(Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals(2, fault.served().get());
        assertEquals(V2, image());
        assertEquals(V2, controller.served.get("fn-alice/hello"));
        assertEquals(List.of(V1, V2), controller.servedHistory.get("fn-alice/hello"), "no other version ever served");
    }

    @Test
    void a500ThatLastsFailsTheDeployAndLeavesTheServingVersionUntouched() throws Exception {
        assertEquals(Outcome.ROLLED_OUT, runtime.deploy(hello(V1, 1)).outcome());
        MockCluster.Fault fault = cluster.inject("PUT", p -> p.startsWith(DEPLOYMENT), 500, 1_000);
        // the client's own retries (10 by default, ~100 s in all) turned off, to count the runtime's passes
        try (var noRetries = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                     new io.fabric8.kubernetes.client.ConfigBuilder(cluster.runtimeClient.getConfiguration())
                             .withRequestRetryBackoffLimit(0).build()).build();
             KubernetesRuntime impatient = new KubernetesRuntime(noRetries, KubernetesRuntimeConfig.defaults()
                     .withRollout(2, Duration.ofSeconds(5), Duration.ofMillis(50)))) {
            KubernetesClientException error = assertThrows(KubernetesClientException.class, () -> impatient.deploy(hello(V2, 2)));
            assertEquals(500, error.getCode());
        }
        assertEquals(KubernetesRuntime.SERVER_ERROR_RETRIES, fault.served().get(),
                "each pass wrote once, then gave up: the reconciler's job fails and is retried");
        assertEquals(V1, image(), "the serving Deployment was not touched");
        assertEquals(V1, controller.served.get("fn-alice/hello"));
        fault.left().set(0); // the API server is back
        assertEquals(Outcome.ROLLED_OUT, runtime.deploy(hello(V2, 2)).outcome());
        assertEquals(V2, controller.served.get("fn-alice/hello"));
    }

    @Test
    void aConflictOnUpdateIsReadAgainAndWrittenOnce() throws Exception {
        assertEquals(Outcome.ROLLED_OUT, runtime.deploy(hello(V1, 1)).outcome());
        MockCluster.Fault fault = cluster.inject("PUT", p -> p.startsWith(DEPLOYMENT), 409, 1);
        int before = cluster.requests().size();

        RolloutResult result = runtime.deploy(hello(V2, 2));

        assertEquals(Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals(1, fault.served().get());
        List<String> pass = cluster.requests().subList(before, cluster.requests().size());
        assertEquals(List.of("PUT " + DEPLOYMENT, "PUT " + DEPLOYMENT), pass.stream().filter(r -> !r.startsWith("GET ")).toList(),
                "the refused write, then the one made on what was read again");
        assertEquals(V2, image());
        assertEquals("1", deployment().getMetadata().getAnnotations().get("driftless.dev/previous-release"));
    }

    @Test
    void anExpiredWatchMakesTheInformerListAgainAndItsCacheMissesNothing() throws Exception {
        // the Deployment informer's first watch is answered 410 Gone, as after a resourceVersion too old
        MockCluster.Fault gone = cluster.inject("GET", p -> p.startsWith("/apis/apps/v1/deployments?") && p.contains("watch=true"), 410, 1);
        assertEquals(Outcome.ROLLED_OUT, runtime.deploy(hello(V1, 1)).outcome());
        Await.until("the 410 to be served", () -> gone.served().get() == 1);

        long lists = cluster.requests().stream().filter(r -> r.equals("GET /apis/apps/v1/deployments")).count();
        assertTrue(lists >= 2, () -> "listed again after 410: " + cluster.requests());
        // the watch that followed delivers: a rollout waits on its events, and a hand edit reaches the cache
        assertEquals(Outcome.ROLLED_OUT, runtime.deploy(hello(V2, 2)).outcome());
        cluster.controllerClient.apps().deployments().inNamespace("fn-alice").withName("hello").scale(0);
        CacheSync.deployment(runtime, "fn-alice", "hello", CacheSync.replicas(0));
        assertEquals("DriftReverted", runtime.deploy(hello(V2, 2)).reason());
        int before = cluster.requests().size();
        assertEquals(Outcome.UNCHANGED, runtime.deploy(hello(V2, 2)).outcome());
        assertEquals(before, cluster.requests().size(), "the cache answers again");
    }

    @Test
    void a500OnTheInformersListIsRetriedUntilTheCacheHasSynced() throws Exception {
        MockCluster.Fault down = cluster.inject("GET", p -> p.startsWith("/apis/apps/v1/deployments?") && !p.contains("watch=true"), 500, 3);

        runtime.start();

        assertEquals(3, down.served().get());
        assertTrue(runtime.ready(), "synced once the API server answered");
        assertEquals(Outcome.ROLLED_OUT, runtime.deploy(hello(V1, 1)).outcome());
        assertEquals(V1, controller.served.get("fn-alice/hello"));
    }
}
