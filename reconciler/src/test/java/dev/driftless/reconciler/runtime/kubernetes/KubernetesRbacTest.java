package dev.driftless.reconciler.runtime.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.reconciler.runtime.RolloutResult.Outcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ClusterRole in {@code manifests/base/rbac.yaml} is exactly what the runtime uses: every request the
 * runtime sends through all its paths (create, new release, failed rollout with logs, drift of every object,
 * list, logs, prune) is granted, and nothing granted goes unused.
 */
class KubernetesRbacTest {
    private static final Pattern CORE = Pattern.compile("/api/v1(?:/namespaces/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?");
    private static final Pattern GROUP = Pattern.compile("/apis/([^/]+)/[^/]+/namespaces/[^/]+/([^/]+)(?:/([^/]+))?(?:/([^/]+))?");

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
                assertEquals("DriftReverted", runtime.deploy(KubernetesRuntimeTest.fn("alice", "fns", "hello", KubernetesRuntimeContractTest.V2, 2)).reason());
                api.apps().deployments().inNamespace("fn-alice").withName("hello").delete();
                api.services().inNamespace("fn-alice").withName("hello").delete();
                assertEquals(Outcome.ROLLED_OUT, runtime.deploy(KubernetesRuntimeTest.fn("alice", "fns", "hello", KubernetesRuntimeContractTest.V2, 2)).outcome());
                runtime.list("alice", "fns");
                runtime.listOwner("alice");
                runtime.recentLogs("alice", "hello", 10);
                runtime.remove("alice", "fns", "hello");
            }
            for (String request : cluster.requests()) {
                used.add(permission(request));
            }
        }

        ClusterRole role = clusterRole();
        Set<String> granted = new TreeSet<>();
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(g -> rule.getResources().forEach(r -> rule.getVerbs()
                .forEach(v -> granted.add((g.isEmpty() ? "core" : g) + " " + r + " " + v)))));
        assertTrue(granted.containsAll(used), () -> "used but not granted: " + minus(used, granted));
        assertTrue(used.containsAll(granted), () -> "granted but never used: " + minus(granted, used));
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> rest = new TreeSet<>(a);
        rest.removeAll(b);
        return rest;
    }

    /** {@code METHOD /path} → {@code group resource verb}, as the API server's authorizer sees it. */
    static String permission(String request) {
        String method = request.substring(0, request.indexOf(' '));
        String path = request.substring(request.indexOf(' ') + 1);
        String group;
        String resource;
        String name;
        String sub;
        Matcher core = CORE.matcher(path);
        Matcher grouped = GROUP.matcher(path);
        if (grouped.matches()) {
            group = grouped.group(1);
            resource = grouped.group(2);
            name = grouped.group(3);
            sub = grouped.group(4);
        } else if (core.matches()) {
            group = "core";
            if (core.group(2) == null) { // /api/v1/namespaces/{name} or /api/v1/namespaces
                resource = "namespaces";
                name = core.group(1);
                sub = null;
            } else {
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
            case "GET" -> name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> throw new AssertionError(request);
        };
        return group + " " + resource + (sub == null ? "" : "/" + sub) + " " + verb;
    }

    private static ClusterRole clusterRole() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("manifests/base/rbac.yaml"))) {
            dir = dir.getParent();
        }
        assertNotNull(dir, "manifests/base/rbac.yaml");
        try (InputStream in = Files.newInputStream(dir.resolve("manifests/base/rbac.yaml"));
             var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build()) {
            for (HasMetadata item : client.load(in).items()) {
                if (item instanceof ClusterRole role && role.getMetadata().getName().equals("driftless-runtime")) {
                    return role;
                }
            }
        }
        throw new AssertionError("no ClusterRole driftless-runtime in rbac.yaml");
    }
}
