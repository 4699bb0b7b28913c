package dev.driftless.runtime.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.runtime.RolloutResult.Outcome;
import dev.driftless.testsupport.Await;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ClusterRole in {@code manifests/base/rbac.yaml} is exactly what the runtime uses: every request the
 * runtime sends through all its paths (create, new release, failed rollout with logs, drift of every object,
 * list, logs, prune) is granted, and nothing granted goes unused. Likewise the leader election Role for what
 * {@link LeaseLeadership} sends, down to the namespace and the Lease's name.
 */
class KubernetesRbacTest {
    private static final Pattern CORE = Pattern.compile("/api/v1(?:/namespaces/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?");
    private static final Pattern GROUP = Pattern.compile("/apis/([^/]+)/[^/]+/namespaces/([^/]+)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?");
    /** A list or watch across namespaces, as the informers send: {@code /apis/apps/v1/deployments}. */
    private static final Pattern GROUP_ALL = Pattern.compile("/apis/([^/]+)/[^/]+/([^/]+)");
    private static final Pattern CORE_ALL = Pattern.compile("/api/v1/([^/]+)");
    private static final String ANY_NAME = "*";

    @Test
    void theClusterRoleGrantsExactlyWhatTheRuntimeUses() throws Exception {
        Set<String> used = new TreeSet<>();
        try (MockCluster cluster = new MockCluster(); FakeDeploymentController controller = new FakeDeploymentController(cluster.controllerClient)) {
            controller.crashing.add(KubernetesRuntimeContractTest.BROKEN);
            var api = cluster.controllerClient;
            try (KubernetesRuntime runtime = new KubernetesRuntime(cluster.runtimeClient, KubernetesRuntimeConfig.defaults()
                    .withRollout(2, Duration.ofSeconds(5), Duration.ofMillis(10)))) {
                var v1 = KubernetesRuntimeTest.fn("alice", "fns", "hello", KubernetesRuntimeContractTest.V1, 1);
                assertEquals(Outcome.ROLLED_OUT, runtime.deploy(v1).outcome());
                assertEquals(Outcome.UNCHANGED, runtime.deploy(v1).outcome());
                assertEquals(Outcome.ROLLED_OUT, runtime.deploy(KubernetesRuntimeTest.fn("alice", "fns", "hello", KubernetesRuntimeContractTest.V2, 2)).outcome());
                assertEquals(Outcome.FAILED, runtime.deploy(KubernetesRuntimeTest.fn("alice", "fns", "hello", KubernetesRuntimeContractTest.BROKEN, 3)).outcome());
                api.services().inNamespace("fn-alice").withName("hello").edit(s -> new io.fabric8.kubernetes.api.model.ServiceBuilder(s)
                        .editSpec().withSelector(java.util.Map.of("app", "other")).endSpec().build());
                api.network().v1().networkPolicies().inNamespace("fn-alice").withName(OwnerManifests.NETWORK_POLICY)
                        .edit(np -> new NetworkPolicyBuilder(np).editSpec().withIngress().endSpec().build());
                api.apps().deployments().inNamespace("fn-alice").withName("hello").edit(d -> new DeploymentBuilder(d)
                        .editSpec().withReplicas(0).endSpec().build());
                CacheSync.deployment(runtime, "fn-alice", "hello", CacheSync.replicas(0));
                CacheSync.service(runtime, "fn-alice", "hello", sv -> sv.isPresent() && sv.get().getSpec().getSelector().containsKey("app"));
                CacheSync.networkPolicy(runtime, "fn-alice", np -> np.isPresent() && (np.get().getSpec().getIngress() == null || np.get().getSpec().getIngress().isEmpty()));
                assertEquals("DriftReverted", runtime.deploy(KubernetesRuntimeTest.fn("alice", "fns", "hello", KubernetesRuntimeContractTest.V2, 2)).reason());
                api.apps().deployments().inNamespace("fn-alice").withName("hello").delete();
                api.services().inNamespace("fn-alice").withName("hello").delete();
                CacheSync.deployment(runtime, "fn-alice", "hello", CacheSync.gone());
                assertEquals(Outcome.ROLLED_OUT, runtime.deploy(KubernetesRuntimeTest.fn("alice", "fns", "hello", KubernetesRuntimeContractTest.V2, 2)).outcome());
                // secrets fed from the store: created, then updated when the stored value changes
                java.util.Map<String, byte[]> stored = new java.util.concurrent.ConcurrentHashMap<>();
                stored.put("api-key", new byte[] {1});
                runtime.withSecrets((owner, name) -> Optional.ofNullable(stored.get(name)));
                var withSecret = new dev.driftless.runtime.FunctionDeployment("alice", "fns", "hello",
                        KubernetesRuntimeContractTest.V1, "c4", 4, java.util.Map.of(), List.of("api-key"), java.util.Map.of(),
                        java.util.Map.of(), dev.driftless.runtime.FunctionDeployment.Resources.none(), true);
                assertEquals(Outcome.ROLLED_OUT, runtime.deploy(withSecret).outcome());
                stored.put("api-key", new byte[] {2});
                runtime.deploy(withSecret);
                runtime.list("alice", "fns");
                runtime.listOwner("alice");
                runtime.recentLogs("alice", "hello", 10);
                runtime.remove("alice", "fns", "hello");
            }
            for (String request : cluster.requests()) {
                used.add(access(request).permission());
            }
        }

        ClusterRole role = manifest(ClusterRole.class, "driftless-runtime");
        Set<String> granted = new TreeSet<>();
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(g -> rule.getResources().forEach(r -> rule.getVerbs()
                .forEach(v -> granted.add((g.isEmpty() ? "core" : g) + " " + r + " " + v)))));
        assertTrue(granted.containsAll(used), () -> "used but not granted: " + minus(used, granted));
        assertTrue(used.containsAll(granted), () -> "granted but never used: " + minus(granted, used));
    }

    @Test
    void theLeaderElectionRoleGrantsExactlyWhatTheLeaseLeadershipUses() throws Exception {
        List<Access> used;
        try (MockCluster cluster = new MockCluster()) {
            // alone: finds no Lease and creates it, renews it, and releases it on a clean stop
            try (LeaseLeadership leadership = new LeaseLeadership(cluster.runtimeClient, "driftless", "pod-a_1",
                    LeaseLeadershipTest.FAST, leading -> { })) {
                leadership.start();
                Await.until("leading", leadership::isLeader);
                Await.until("a renewal", () -> cluster.requests().stream().anyMatch(r -> r.startsWith("PATCH ")));
            }
            used = cluster.requests().stream().map(KubernetesRbacTest::access).toList();
        }

        Role role = manifest(Role.class, "driftless-leader-election");
        for (Access access : used) {
            assertEquals(role.getMetadata().getNamespace(), access.namespace(), access::toString);
        }
        Set<String> granted = new TreeSet<>();
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(g -> rule.getResources().forEach(r -> rule.getVerbs()
                .forEach(v -> (rule.getResourceNames().isEmpty() ? List.of(ANY_NAME) : rule.getResourceNames())
                        .forEach(name -> granted.add(g + " " + r + " " + v + " " + name))))));
        Set<String> usedByName = new TreeSet<>();
        used.forEach(access -> usedByName.add(access.permission() + " " + access.name().orElse(ANY_NAME)));
        Set<String> notGranted = new TreeSet<>();
        for (String request : usedByName) {
            String anyName = request.substring(0, request.lastIndexOf(' ') + 1) + ANY_NAME;
            if (!granted.contains(request) && !granted.contains(anyName)) {
                notGranted.add(request);
            }
        }
        assertTrue(notGranted.isEmpty(), () -> "used but not granted: " + notGranted);
        assertTrue(usedByName.containsAll(granted), () -> "granted but never used: " + minus(granted, usedByName));
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> rest = new TreeSet<>(a);
        rest.removeAll(b);
        return rest;
    }

    /** A request as the API server's authorizer sees it; {@code namespace} is empty for cluster-scoped ones. */
    record Access(String group, String resource, String verb, String namespace, Optional<String> name) {
        /** {@code group resource verb} */
        String permission() {
            return group + " " + resource + " " + verb;
        }
    }

    /** {@code METHOD /path} → who may send it. */
    static Access access(String request) {
        String method = request.substring(0, request.indexOf(' '));
        String path = request.substring(request.indexOf(' ') + 1);
        boolean watch = path.endsWith(" watch");
        path = watch ? path.substring(0, path.length() - " watch".length()) : path;
        String group;
        String namespace;
        String resource;
        String name;
        String sub;
        Matcher core = CORE.matcher(path);
        Matcher grouped = GROUP.matcher(path);
        Matcher groupAll = GROUP_ALL.matcher(path);
        Matcher coreAll = CORE_ALL.matcher(path);
        if (groupAll.matches()) {
            group = groupAll.group(1);
            namespace = "";
            resource = groupAll.group(2);
            name = null;
            sub = null;
        } else if (coreAll.matches() && !path.equals("/api/v1/namespaces")) {
            group = "core";
            namespace = "";
            resource = coreAll.group(1);
            name = null;
            sub = null;
        } else if (grouped.matches()) {
            group = grouped.group(1);
            namespace = grouped.group(2);
            resource = grouped.group(3);
            name = grouped.group(4);
            sub = grouped.group(5);
        } else if (core.matches()) {
            group = "core";
            if (core.group(2) == null) { // /api/v1/namespaces/{name} or /api/v1/namespaces
                namespace = "";
                resource = "namespaces";
                name = core.group(1);
                sub = null;
            } else {
                namespace = core.group(1);
                resource = core.group(2);
                name = core.group(3);
                sub = core.group(4);
            }
        } else {
            throw new AssertionError("unexpected request " + request);
        }
        if (path.equals("/api/v1/namespaces")) {
            name = null;
        }
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> throw new AssertionError(request);
        };
        return new Access(group, resource + (sub == null ? "" : "/" + sub), verb, namespace, Optional.ofNullable(name));
    }

    private static <T extends HasMetadata> T manifest(Class<T> kind, String name) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("manifests/base/rbac.yaml"))) {
            dir = dir.getParent();
        }
        assertNotNull(dir, "manifests/base/rbac.yaml");
        try (InputStream in = Files.newInputStream(dir.resolve("manifests/base/rbac.yaml"));
             var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build()) {
            for (HasMetadata item : client.load(in).items()) {
                if (kind.isInstance(item) && item.getMetadata().getName().equals(name)) {
                    return kind.cast(item);
                }
            }
        }
        throw new AssertionError("no " + kind.getSimpleName() + " " + name + " in rbac.yaml");
    }
}
