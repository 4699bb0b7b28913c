package dev.driftless.runtime.kubernetes;

import dev.driftless.testsupport.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.runtime.RolloutResult.Outcome;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes runtime on the mock API server (CRUD), with {@link FakeDeploymentController} playing the
 * deployment controller. Writes are counted on the runtime's own client, so "no write" means no request
 * other than GET reached the API server.
 */
class KubernetesRuntimeTest {
    static final String V1 = KubernetesRuntimeContractTest.V1;
    static final String V2 = KubernetesRuntimeContractTest.V2;
    static final String CRASHING = KubernetesRuntimeContractTest.BROKEN;
    static final String SILENT = "registry.test/alice/hello@sha256:" + "5".repeat(64);

    private MockCluster cluster;
    private KubernetesClient api;
    private FakeDeploymentController controller;
    private KubernetesRuntime runtime;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        api = cluster.controllerClient;
        controller = new FakeDeploymentController(api);
        controller.crashing.add(CRASHING);
        controller.silent.add(SILENT);
        runtime = new KubernetesRuntime(cluster.runtimeClient, KubernetesRuntimeConfig.defaults()
                .withRollout(2, Duration.ofSeconds(3), Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        controller.close();
        cluster.close();
    }

    static FunctionDeployment fn(String owner, String repository, String function, String image, int release) {
        return new FunctionDeployment(owner, repository, function, image, "c" + release, release,
                Map.of("GREETING", "hello"), List.of(), Map.of(), Map.of(), FunctionDeployment.Resources.none(), true);
    }

    private Deployment deployment(String namespace, String name) {
        return api.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    private static Container container(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    // --- a good rollout -------------------------------------------------------------------------

    @Test
    void aFirstDeployCreatesTheOwnersNamespacePolicyServiceAndAHardenedDeployment() throws Exception {
        FunctionDeployment hello = new FunctionDeployment("alice", "fns", "hello", V1, "c1", 1,
                Map.of("GREETING", "hi", "PORT", "9999"), List.of("api-key", "db.password"),
                Map.of("team", "web"), Map.of("note", "from stack"),
                new FunctionDeployment.Resources(Optional.of(256L << 20), Optional.of(8L << 30), Optional.empty(), Optional.of(4000L)),
                true);

        RolloutResult result = runtime.deploy(hello);

        assertEquals(Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals("Created", result.reason());

        var ns = api.namespaces().withName("fn-alice").get();
        assertEquals("driftless", ns.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals("alice", ns.getMetadata().getLabels().get("driftless.dev/owner"));

        NetworkPolicy policy = api.network().v1().networkPolicies().inNamespace("fn-alice").withName("driftless-gateway-only").get();
        assertTrue(policy.getSpec().getPodSelector().getMatchLabels().isEmpty(), "selects every pod of the namespace");
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        assertEquals(1, policy.getSpec().getIngress().size(), "one allow rule; all other ingress is denied");
        var from = policy.getSpec().getIngress().get(0).getFrom();
        assertEquals(1, from.size());
        assertEquals(Map.of("kubernetes.io/metadata.name", "driftless"), from.get(0).getNamespaceSelector().getMatchLabels());
        assertEquals(Map.of("app.kubernetes.io/name", "driftless"), from.get(0).getPodSelector().getMatchLabels());
        assertEquals(8080, policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal());

        Deployment d = deployment("fn-alice", "hello");
        assertEquals(Map.of("app.kubernetes.io/name", "hello", "app.kubernetes.io/managed-by", "driftless",
                "driftless.dev/owner", "alice", "driftless.dev/repository", "fns", "driftless.dev/function", "hello",
                "team", "web"), d.getMetadata().getLabels());
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        assertEquals("c1", annotations.get("driftless.dev/commit"));
        assertEquals("1", annotations.get("driftless.dev/release"));
        assertEquals(V1, annotations.get("driftless.dev/image"));
        assertEquals("from stack", annotations.get("note"));
        assertTrue(annotations.get("driftless.dev/spec-hash").matches("[0-9a-f]{20}"));

        assertEquals(1, d.getSpec().getReplicas());
        assertEquals(2, d.getSpec().getProgressDeadlineSeconds());
        assertEquals("RollingUpdate", d.getSpec().getStrategy().getType());
        assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
        assertEquals(1, d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal());
        assertEquals(Map.of("driftless.dev/owner", "alice", "driftless.dev/function", "hello"), d.getSpec().getSelector().getMatchLabels());

        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(10001L, pod.getSecurityContext().getRunAsUser());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container c = container(d);
        assertEquals(V1, c.getImage(), "the image by digest, never a tag");
        assertEquals(8080, c.getPorts().get(0).getContainerPort());
        assertEquals(List.of("GREETING=hi", "PORT=8080"), c.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).toList(),
                "the stack's environment, with PORT fixed to where the probes look");
        assertEquals("/_/health", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals(8080, c.getReadinessProbe().getHttpGet().getPort().getIntVal());
        assertEquals("/_/health", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals(Boolean.TRUE, c.getSecurityContext().getRunAsNonRoot());
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals("RuntimeDefault", c.getSecurityContext().getSeccompProfile().getType());

        // resources: the asked request kept, the asked 8Gi limit held at the 1Gi cap, cpu 4000m at the 1 core cap
        assertEquals(new Quantity("256Mi"), c.getResources().getRequests().get("memory"));
        assertEquals(new Quantity("1Gi"), c.getResources().getLimits().get("memory"));
        assertEquals(new Quantity("50m"), c.getResources().getRequests().get("cpu"));
        assertEquals(new Quantity("1"), c.getResources().getLimits().get("cpu"));

        // /tmp writable despite the read-only root; secrets referenced by name, mounted read-only where OpenFaaS puts them
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp") && m.getName().equals("tmp")));
        assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow().getEmptyDir());
        var secretsMount = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/var/openfaas/secrets")).findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, secretsMount.getReadOnly());
        var projected = pod.getVolumes().stream().filter(v -> v.getName().equals(secretsMount.getName())).findFirst().orElseThrow().getProjected();
        assertEquals(List.of("api-key", "db.password"), projected.getSources().stream().map(s -> s.getSecret().getName()).toList());
        assertTrue(c.getEnv().stream().allMatch(e -> e.getValueFrom() == null), "no secret is turned into an environment variable");
        assertTrue(api.secrets().inNamespace("fn-alice").list().getItems().isEmpty(), "no Secret was created or copied");

        Service service = api.services().inNamespace("fn-alice").withName("hello").get();
        assertEquals("ClusterIP", service.getSpec().getType());
        assertEquals(8080, service.getSpec().getPorts().get(0).getPort());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());

        assertEquals(Optional.of(V1), Optional.ofNullable(controller.served.get("fn-alice/hello")));
        DeployedFunction listed = runtime.list("alice", "fns").get(0);
        assertEquals(new DeployedFunction("alice", "fns", "hello", V1, "c1", 1, 1, 1), listed);
    }

    @Test
    void aReadOnlyRootCanBeTurnedOffByTheStackOnly() throws Exception {
        FunctionDeployment writable = new FunctionDeployment("alice", "fns", "hello", V1, "c1", 1, Map.of(), List.of(),
                Map.of(), Map.of(), FunctionDeployment.Resources.none(), false);
        runtime.deploy(writable);
        Container c = container(deployment("fn-alice", "hello"));
        assertEquals(Boolean.FALSE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.TRUE, c.getSecurityContext().getRunAsNonRoot(), "everything else stays hardened");
        assertEquals(new Quantity("64Mi"), c.getResources().getRequests().get("memory"), "operator default request");
        assertEquals(new Quantity("128Mi"), c.getResources().getLimits().get("memory"), "operator default limit");
        assertNull(c.getResources().getLimits().get("cpu"), "no cpu limit by default");
    }

    @Test
    void aNewReleaseRollsOutAndRecordsThePreviousDigest() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));

        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", V2, 2));

        assertEquals(Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals("RolloutSucceeded", result.reason());
        Deployment d = deployment("fn-alice", "hello");
        assertEquals(V2, container(d).getImage());
        assertEquals(V1, d.getMetadata().getAnnotations().get("driftless.dev/previous-image"));
        assertEquals("1", d.getMetadata().getAnnotations().get("driftless.dev/previous-release"));
        assertEquals(List.of(V1, V2), controller.servedHistory.get("fn-alice/hello"));
    }

    // --- a failing rollout, rolled back --------------------------------------------------------

    @Test
    void aCrashingReleaseFailsWithThePodsWaitingReasonAndIsRolledBack() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        String hashBefore = deployment("fn-alice", "hello").getMetadata().getAnnotations().get("driftless.dev/spec-hash");
        cluster.server.expect().get().withPath("/api/v1/namespaces/fn-alice/pods/hello-2-crash/log?pretty=false&container=function&tailLines=50")
                .andReturn(200, "listening\nException in thread \"main\" java.lang.IllegalStateException: DB_URL missing\n").always();

        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", CRASHING, 2));

        assertEquals(Outcome.FAILED, result.outcome(), result::toString);
        assertEquals("CrashLoopBackOff", result.reason(), "the reason a person can act on: the pod's waiting reason");
        assertTrue(result.message().contains("ProgressDeadlineExceeded"), result.message());
        assertTrue(result.message().contains("rolled back to " + V1), result.message());
        assertEquals(List.of("listening", "Exception in thread \"main\" java.lang.IllegalStateException: DB_URL missing"),
                result.lastLogLines(), "the crashing pod's last lines");
        Deployment d = deployment("fn-alice", "hello");
        assertEquals(V1, container(d).getImage(), "the Deployment is back on the old digest");
        assertEquals("1", d.getMetadata().getAnnotations().get("driftless.dev/release"));
        assertEquals(hashBefore, d.getMetadata().getAnnotations().get("driftless.dev/spec-hash"));
        assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
        assertEquals(List.of(V1), controller.servedHistory.get("fn-alice/hello"),
                "traffic never left the old version: only v1 ever served");
        assertEquals(V1, runtime.list("alice", "fns").get(0).image());

        // the rolled-back state is the previous release's: deploying it again writes nothing
        long writes = cluster.writeCount();
        assertEquals(Outcome.UNCHANGED, runtime.deploy(fn("alice", "fns", "hello", V1, 1)).outcome());
        assertEquals(writes, cluster.writeCount());
    }

    @Test
    void aReleaseThatNeverReportsProgressFailsOnTheRuntimesOwnTimeLimit() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));

        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", SILENT, 2));

        assertEquals(Outcome.FAILED, result.outcome(), result::toString);
        assertEquals("RolloutTimeout", result.reason());
        assertTrue(result.message().contains("not available after 3s"), result.message());
        assertEquals(V1, container(deployment("fn-alice", "hello")).getImage());
        assertEquals(V1, controller.served.get("fn-alice/hello"));
    }

    @Test
    void aFirstReleaseThatFailsLeavesNothingBehind() throws Exception {
        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", CRASHING, 1));

        assertEquals(Outcome.FAILED, result.outcome(), result::toString);
        assertEquals("CrashLoopBackOff", result.reason());
        assertNull(deployment("fn-alice", "hello"));
        assertNull(api.services().inNamespace("fn-alice").withName("hello").get());
        assertEquals(List.of(), runtime.list("alice", "fns"));
    }

    // --- idempotence ---------------------------------------------------------------------------

    @Test
    void aSecondReconcileOfTheSameInputWritesNothing() throws Exception {
        List<FunctionDeployment> stack = List.of(fn("alice", "fns", "a", V1, 1), fn("alice", "fns", "b", V2, 1),
                fn("bob", "fns", "a", V1, 3));
        for (FunctionDeployment f : stack) {
            assertEquals(Outcome.ROLLED_OUT, runtime.deploy(f).outcome());
        }
        long writes = cluster.writeCount();
        int requests = cluster.requests().size();

        for (FunctionDeployment f : stack) {
            RolloutResult again = runtime.deploy(f);
            assertEquals(Outcome.UNCHANGED, again.outcome(), again::toString);
        }

        assertEquals(writes, cluster.writeCount(), () -> "writes on the second pass: " + cluster.writes());
        List<String> secondPass = cluster.requests().subList(requests, cluster.requests().size());
        assertTrue(secondPass.stream().allMatch(r -> r.startsWith("GET ")), secondPass::toString);
        assertEquals(List.of(), secondPass, "the informers' cache answers every read of an unchanged pass");
    }

    @Test
    void aRollbackToAnOldDigestIsANewReleaseWithoutNewPods() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        runtime.deploy(fn("alice", "fns", "hello", V2, 2));
        long generation = deployment("fn-alice", "hello").getMetadata().getGeneration();

        RolloutResult rollback = runtime.deploy(fn("alice", "fns", "hello", V1, 3));

        assertEquals(Outcome.ROLLED_OUT, rollback.outcome(), rollback::toString);
        Deployment d = deployment("fn-alice", "hello");
        assertEquals(V1, container(d).getImage());
        assertEquals("3", d.getMetadata().getAnnotations().get("driftless.dev/release"));
        assertEquals(generation + 1, d.getMetadata().getGeneration());
    }

    // --- drift ---------------------------------------------------------------------------------

    @Test
    void anImageEditedByHandIsPutBack() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        api.apps().deployments().inNamespace("fn-alice").withName("hello").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().editFirstContainer().withImage("evil/miner:latest")
                .endContainer().endSpec().endTemplate().endSpec().build());
        CacheSync.deployment(runtime, "fn-alice", "hello", CacheSync.image("evil/miner:latest"));

        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", V1, 1));

        assertEquals(Outcome.ROLLED_OUT, result.outcome(), result::toString);
        assertEquals("DriftReverted", result.reason());
        assertTrue(result.message().contains("image changed to evil/miner:latest"), result.message());
        assertEquals(V1, container(deployment("fn-alice", "hello")).getImage());
        assertEquals(V1, controller.served.get("fn-alice/hello"));
    }

    @Test
    void aDeploymentScaledToZeroByHandIsPutBack() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        api.apps().deployments().inNamespace("fn-alice").withName("hello").scale(0);
        awaitServed("fn-alice/hello", null);
        CacheSync.deployment(runtime, "fn-alice", "hello", CacheSync.replicas(0));

        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", V1, 1));

        assertEquals("DriftReverted", result.reason(), result::toString);
        assertTrue(result.message().contains("scaled to 0 replicas (want 1)"), result.message());
        assertEquals(1, deployment("fn-alice", "hello").getSpec().getReplicas());
        assertEquals(V1, controller.served.get("fn-alice/hello"));
    }

    @Test
    void scaledToZeroForIdlingIsNotDriftAndTheNextDeployWakesIt() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        runtime.scaleToZero(fn("alice", "fns", "hello", V1, 1));
        runtime.scaleToZero(fn("alice", "tools", "hello", V1, 1)); // another repository's: not touched
        Deployment asleep = deployment("fn-alice", "hello");
        assertEquals(0, asleep.getSpec().getReplicas());
        assertNotNull(asleep.getMetadata().getAnnotations().get("driftless.dev/scaled-to-zero"));
        awaitServed("fn-alice/hello", null);
        CacheSync.deployment(runtime, "fn-alice", "hello", CacheSync.replicas(0));

        RolloutResult woken = runtime.deploy(fn("alice", "fns", "hello", V1, 1));

        assertEquals(Outcome.ROLLED_OUT, woken.outcome(), woken::toString);
        assertEquals("Woken", woken.reason(), woken::toString);
        Deployment awake = deployment("fn-alice", "hello");
        assertEquals(1, awake.getSpec().getReplicas());
        assertNull(awake.getMetadata().getAnnotations().get("driftless.dev/scaled-to-zero"));
        assertEquals(V1, controller.served.get("fn-alice/hello"));
    }

    @Test
    void aDeploymentDeletedByHandIsPutBack() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        api.apps().deployments().inNamespace("fn-alice").withName("hello").delete();
        awaitServed("fn-alice/hello", null);
        CacheSync.deployment(runtime, "fn-alice", "hello", CacheSync.gone());

        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", V1, 1));

        assertEquals("DriftReverted", result.reason(), result::toString);
        assertTrue(result.message().contains("Deployment hello was deleted"), result.message());
        assertEquals(V1, container(deployment("fn-alice", "hello")).getImage());
        assertEquals(V1, controller.served.get("fn-alice/hello"));
    }

    @Test
    void aServiceDeletedOrANetworkPolicyOpenedByHandIsPutBack() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        api.services().inNamespace("fn-alice").withName("hello").delete();
        api.network().v1().networkPolicies().inNamespace("fn-alice").withName("driftless-gateway-only")
                .edit(np -> new NetworkPolicyBuilder(np).editSpec().withIngress().addNewIngress().endIngress().endSpec().build());
        CacheSync.service(runtime, "fn-alice", "hello", CacheSync.gone());
        CacheSync.networkPolicy(runtime, "fn-alice", np -> np.isPresent() && np.get().getSpec().getIngress().size() == 1
                && (np.get().getSpec().getIngress().get(0).getFrom() == null || np.get().getSpec().getIngress().get(0).getFrom().isEmpty()));

        RolloutResult result = runtime.deploy(fn("alice", "fns", "hello", V1, 1));

        assertEquals("DriftReverted", result.reason(), result::toString);
        assertTrue(result.message().contains("Service hello was deleted"), result.message());
        assertTrue(result.message().contains("NetworkPolicy driftless-gateway-only was edited"), result.message());
        assertNotNull(api.services().inNamespace("fn-alice").withName("hello").get());
        var ingress = api.network().v1().networkPolicies().inNamespace("fn-alice").withName("driftless-gateway-only").get()
                .getSpec().getIngress();
        assertEquals(1, ingress.size());
        assertFalse(ingress.get(0).getFrom().isEmpty(), "an allow-all rule is gone again");
        long writes = cluster.writeCount();
        assertEquals(Outcome.UNCHANGED, runtime.deploy(fn("alice", "fns", "hello", V1, 1)).outcome());
        assertEquals(writes, cluster.writeCount());
    }

    // --- prune ---------------------------------------------------------------------------------

    @Test
    void removeDeletesOnlyThatFunctionOfThatRepositoryAndOwner() throws Exception {
        runtime.deploy(fn("alice", "fns", "a", V1, 1));
        runtime.deploy(fn("alice", "fns", "b", V1, 1));
        runtime.deploy(fn("alice", "tools", "c", V1, 1));
        runtime.deploy(fn("bob", "fns", "a", V2, 1));

        runtime.remove("alice", "tools", "a"); // same name, other repository: not selected
        runtime.remove("alice", "fns", "c"); // c is tools': not selected
        assertEquals(List.of("a", "b", "c"), runtime.listOwner("alice").stream().map(DeployedFunction::function).toList());

        int requests = cluster.requests().size();
        runtime.remove("alice", "fns", "a");

        assertNull(deployment("fn-alice", "a"));
        assertNull(api.services().inNamespace("fn-alice").withName("a").get());
        assertNotNull(deployment("fn-alice", "b"));
        assertNotNull(deployment("fn-alice", "c"));
        assertNotNull(deployment("fn-bob", "a"), "bob's function of the same name is untouched");
        assertNotNull(api.services().inNamespace("fn-bob").withName("a").get());
        assertEquals(V2, controller.served.get("fn-bob/a"));
        List<String> prune = cluster.requests().subList(requests, cluster.requests().size());
        assertTrue(prune.stream().filter(r -> r.startsWith("GET ")).allMatch(r -> r.contains("/namespaces/fn-alice/")), prune::toString);
        assertEquals(List.of("DELETE /apis/apps/v1/namespaces/fn-alice/deployments/a", "DELETE /api/v1/namespaces/fn-alice/services/a"),
                prune.stream().filter(r -> !r.startsWith("GET ")).toList());
    }

    // --- tenant walls --------------------------------------------------------------------------

    @Test
    void aStackCannotReachAnotherOwnersNamespaceOrOverrideOurLabels() throws Exception {
        runtime.deploy(fn("bob", "fns", "hello", V2, 1));
        String bobBefore = api.apps().deployments().inNamespace("fn-bob").withName("hello").get().getMetadata().getResourceVersion();
        int requests = cluster.requests().size();

        RolloutResult traversal = runtime.deploy(fn("alice", "fns", "../bob", V1, 1));
        assertEquals(Outcome.FAILED, traversal.outcome());
        assertEquals("InvalidSpec", traversal.reason());
        assertTrue(traversal.message().contains("'../bob' is not a DNS-1123 label"), traversal.message());
        assertEquals(requests, cluster.requests().size(), "refused before any request");

        FunctionDeployment hostile = new FunctionDeployment("alice", "fns", "hello", V1, "c1", 1, Map.of(), List.of(),
                Map.of("driftless.dev/owner", "bob", "driftless.dev/repository", "bobs-repo", "app.kubernetes.io/managed-by", "me",
                        "driftless.dev/function", "other", "tier", "front"),
                Map.of("driftless.dev/commit", "forged", "driftless.dev/spec-hash", "0", "driftless.dev/release", "99"),
                FunctionDeployment.Resources.none(), true);
        RolloutResult result = runtime.deploy(hostile);

        assertEquals(Outcome.ROLLED_OUT, result.outcome(), result::toString);
        Deployment d = deployment("fn-alice", "hello");
        assertEquals("alice", d.getMetadata().getLabels().get("driftless.dev/owner"));
        assertEquals("fns", d.getMetadata().getLabels().get("driftless.dev/repository"));
        assertEquals("hello", d.getMetadata().getLabels().get("driftless.dev/function"));
        assertEquals("driftless", d.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals("front", d.getMetadata().getLabels().get("tier"), "labels that do not collide are kept");
        assertEquals("alice", d.getSpec().getTemplate().getMetadata().getLabels().get("driftless.dev/owner"));
        assertEquals("c1", d.getMetadata().getAnnotations().get("driftless.dev/commit"));
        assertEquals("1", d.getMetadata().getAnnotations().get("driftless.dev/release"));
        List<String> alice = cluster.requests().subList(requests, cluster.requests().size());
        assertTrue(alice.stream().allMatch(r -> r.contains("/namespaces/fn-alice") || r.equals("POST /api/v1/namespaces")), alice::toString);
        assertEquals(bobBefore, api.apps().deployments().inNamespace("fn-bob").withName("hello").get().getMetadata().getResourceVersion(),
                "bob's Deployment was not written");
        assertEquals(List.of("hello"), runtime.listOwner("bob").stream().map(DeployedFunction::function).toList());
        assertEquals(V2, runtime.listOwner("bob").get(0).image());
        assertEquals(V1, runtime.listOwner("alice").get(0).image());
    }

    @Test
    void objectsThatAreNotOursOrAnotherRepositorysAreNeverOverwritten() throws Exception {
        runtime.deploy(fn("alice", "fns", "hello", V1, 1));
        long writes = cluster.writeCount();

        RolloutResult taken = runtime.deploy(fn("alice", "other-repo", "hello", V2, 1));
        assertEquals(Outcome.FAILED, taken.outcome());
        assertEquals("NameTaken", taken.reason());
        assertTrue(taken.message().contains("already used by repository 'fns'"), taken.message());
        assertEquals(writes, cluster.writeCount());
        assertEquals(V1, container(deployment("fn-alice", "hello")).getImage());

        // a namespace of the right name that someone else made is not adopted
        api.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("fn-carol").endMetadata().build()).create();
        RolloutResult notOurs = runtime.deploy(fn("carol", "fns", "hello", V1, 1));
        assertEquals("NotOurs", notOurs.reason(), notOurs::toString);
        assertEquals(writes, cluster.writeCount());
        assertNull(deployment("fn-carol", "hello"));

        // nor is a Deployment of the function's name without our labels
        api.apps().deployments().inNamespace("fn-alice").resource(new DeploymentBuilder(deployment("fn-alice", "hello"))
                .editMetadata().withName("handmade").withResourceVersion(null).withUid(null).withLabels(Map.of("app", "x")).endMetadata()
                .build()).create();
        RolloutResult handmade = runtime.deploy(fn("alice", "fns", "handmade", V2, 1));
        assertEquals("NotOurs", handmade.reason(), handmade::toString);
        assertEquals(V1, container(deployment("fn-alice", "handmade")).getImage());
        assertEquals(writes, cluster.writeCount());
    }

    @Test
    void badInputIsRefusedBeforeAnyWrite() throws Exception {
        FunctionDeployment byTag = fn("alice", "fns", "hello", "registry.test/alice/hello:latest", 1);
        FunctionDeployment badLabel = new FunctionDeployment("alice", "fns", "hello", V1, "c1", 1, Map.of("A=B", "x"),
                List.of("../etc"), Map.of("bad key!", "v"), Map.of(), FunctionDeployment.Resources.none(), true);

        RolloutResult tag = runtime.deploy(byTag);
        RolloutResult bad = runtime.deploy(badLabel);

        assertEquals("InvalidSpec", tag.reason());
        assertTrue(tag.message().contains("not referenced by digest"), tag.message());
        assertEquals("InvalidSpec", bad.reason());
        assertTrue(bad.message().contains("environment variable name 'A=B'"), bad.message());
        assertTrue(bad.message().contains("secret name '../etc'"), bad.message());
        assertTrue(bad.message().contains("label 'bad key!: v'"), bad.message());
        assertEquals(0, cluster.requests().size());
    }

    @Test
    void theGatewayReachesAFunctionThroughItsServiceInTheOwnersNamespace() {
        assertEquals(java.net.URI.create("http://hello.fn-alice.svc:8080"), runtime.endpoint("Alice", "hello"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> runtime.endpoint("alice", "x.fn-bob"));
    }

    // --- logs ----------------------------------------------------------------------------------

    @Test
    void recentLogsReadTheNewestPodsLogAndSayNothingWhenThereIsNone() throws Exception {
        assertEquals(List.of(), runtime.recentLogs("alice", "hello", 10), "no pod, no lines");
        api.pods().inNamespace("fn-alice").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("hello-1").withLabels(Map.of("app.kubernetes.io/managed-by", "driftless",
                        "driftless.dev/owner", "alice", "driftless.dev/function", "hello")).endMetadata()
                .withNewSpec().addNewContainer().withName("function").withImage(V1).endContainer().endSpec()
                .build()).create();
        // the CRUD store has no log endpoint: the server answers it as the kubelet would
        cluster.server.expect().get().withPath("/api/v1/namespaces/fn-alice/pods/hello-1/log?pretty=false&container=function&tailLines=2")
                .andReturn(200, "started\nserving on 8080\n").always();

        assertEquals(List.of("started", "serving on 8080"), runtime.recentLogs("alice", "hello", 2));
        assertEquals(List.of(), runtime.recentLogs("bob", "hello", 2), "another owner's namespace has no such pod");
    }

    private void awaitServed(String key, String image) throws InterruptedException {
        Await.until(key + " served from " + image, () -> java.util.Objects.equals(controller.served.get(key), image));
    }
}
