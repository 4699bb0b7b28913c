package dev.driftless.reconciler.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.reconciler.config.Setting;
import dev.driftless.runtime.kubernetes.KubernetesRuntimeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The kustomize manifests that run Driftless in a cluster: every file parses with fabric8 as the kinds we
 * meant, the fields that keep it safe and available are there, the base applies to an API server (the
 * mock, CRUD), and the example overlay only references what exists. Rendering the overlay is kustomize's job.
 */
@EnableKubernetesMockClient(crud = true)
class ManifestsTest {
    static KubernetesClient client;

    private static Path manifests;
    private static List<HasMetadata> base;

    @BeforeAll
    static void load() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("manifests/base/kustomization.yaml"))) {
            dir = dir.getParent();
        }
        assertNotNull(dir, "manifests/base/kustomization.yaml above " + Path.of("").toAbsolutePath());
        manifests = dir.resolve("manifests");
        base = new ArrayList<>();
        for (String file : resources(manifests.resolve("base"))) {
            try (InputStream in = Files.newInputStream(manifests.resolve("base").resolve(file))) {
                List<HasMetadata> items = client.load(in).items();
                assertFalse(items.isEmpty(), file + " holds no object");
                base.addAll(items);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> resources(Path kustomizationDir) throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(kustomizationDir.resolve("kustomization.yaml")));
        return (List<String>) kustomization.get("resources");
    }

    private static <T extends HasMetadata> T one(Class<T> kind, String name) {
        List<T> found = base.stream().filter(kind::isInstance).map(kind::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).toList();
        assertEquals(1, found.size(), () -> kind.getSimpleName() + " " + name + " in " + base.stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList());
        return found.get(0);
    }

    @Test
    void theKustomizationListsEveryBaseFileAndNoSecret() throws IOException {
        List<String> listed = resources(manifests.resolve("base"));
        Set<String> files;
        try (Stream<Path> s = Files.list(manifests.resolve("base"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .collect(Collectors.toSet());
        }
        assertEquals(files, Set.copyOf(listed));
        assertTrue(Files.isRegularFile(manifests.resolve("secret.example.yaml")));
        assertTrue(base.stream().noneMatch(o -> o.getKind().equals("Secret")), "no Secret ships in the base");
        assertTrue(base.stream().filter(o -> !(o instanceof ClusterRole) && !(o instanceof ClusterRoleBinding) && !(o instanceof Namespace))
                .allMatch(o -> "driftless".equals(o.getMetadata().getNamespace())), "namespaced objects live in driftless");
    }

    @Test
    void theDaemonRunsTwoHardenedReplicasWithProbes() {
        Deployment d = one(Deployment.class, "driftless");
        assertEquals(2, d.getSpec().getReplicas());
        assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals("driftless", pod.getServiceAccountName());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container c = pod.getContainers().get(0);
        assertEquals("driftless/driftless:0.1.0", c.getImage());
        assertEquals(List.of(8080, 8443), c.getPorts().stream().map(p -> p.getContainerPort()).toList());
        assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("http", c.getLivenessProbe().getHttpGet().getPort().getStrVal());
        assertNotNull(c.getResources().getRequests().get("memory"));
        assertNotNull(c.getResources().getRequests().get("cpu"));
        assertNotNull(c.getResources().getLimits().get("memory"));
        assertEquals(Boolean.TRUE, c.getSecurityContext().getRunAsNonRoot());
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());

        // writable places on a read-only root: /tmp and the data folder, both emptyDir
        ConfigMap config = one(ConfigMap.class, "driftless-config");
        String data = config.getData().get("DRIFTLESS_DATA");
        for (String path : List.of("/tmp", data)) {
            String volume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst().orElseThrow().getName();
            assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst().orElseThrow().getEmptyDir(), path);
        }
    }

    @Test
    void settingsComeFromTheConfigMapAndSecretsOnlyByReference() {
        ConfigMap config = one(ConfigMap.class, "driftless-config");
        assertEquals("kubernetes", config.getData().get("DRIFTLESS_RUNTIME"));
        assertNotNull(config.getData().get("DRIFTLESS_DOMAIN"));
        assertNotNull(config.getData().get("DRIFTLESS_REGISTRY"));
        Set<String> known = Arrays.stream(Setting.values()).map(Setting::env).collect(Collectors.toSet());
        assertTrue(known.containsAll(config.getData().keySet()), "every key is a setting the daemon reads: " + config.getData().keySet());
        for (String secret : List.of("DRIFTLESS_DB_URL", "DRIFTLESS_DB_PASSWORD", "DRIFTLESS_GITHUB_WEBHOOK_SECRET", "DRIFTLESS_GITHUB_TOKEN")) {
            assertFalse(config.getData().containsKey(secret), secret + " does not belong in a ConfigMap");
        }

        Container c = one(Deployment.class, "driftless").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("driftless-config", c.getEnvFrom().get(0).getConfigMapRef().getName());
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals(Set.of("DRIFTLESS_GITHUB_WEBHOOK_SECRET", "DRIFTLESS_DB_URL", "DRIFTLESS_DB_USER", "DRIFTLESS_DB_PASSWORD"), env.keySet());
        env.values().forEach(e -> {
            assertEquals(null, e.getValue(), e.getName() + " is never inlined");
            assertEquals("driftless-secrets", e.getValueFrom().getSecretKeyRef().getName());
        });
        assertEquals("db-url", env.get("DRIFTLESS_DB_URL").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("webhook-secret", env.get("DRIFTLESS_GITHUB_WEBHOOK_SECRET").getValueFrom().getSecretKeyRef().getKey());
        PodSpec pod = one(Deployment.class, "driftless").getSpec().getTemplate().getSpec();
        assertEquals("driftless-github-app", pod.getVolumes().stream().filter(v -> v.getName().equals("github-app")).findFirst()
                .orElseThrow().getSecret().getSecretName(), "the App key is a file from a Secret");
    }

    @Test
    void theExampleSecretsHoldWhatTheDeploymentReferences() throws IOException {
        List<HasMetadata> secrets;
        try (InputStream in = Files.newInputStream(manifests.resolve("secret.example.yaml"))) {
            secrets = client.load(in).items();
        }
        Map<String, Set<String>> keys = secrets.stream().collect(Collectors.toMap(s -> s.getMetadata().getName(),
                s -> ((io.fabric8.kubernetes.api.model.Secret) s).getStringData().keySet()));
        Container c = one(Deployment.class, "driftless").getSpec().getTemplate().getSpec().getContainers().get(0);
        for (EnvVar e : c.getEnv()) {
            var ref = e.getValueFrom().getSecretKeyRef();
            assertTrue(keys.getOrDefault(ref.getName(), Set.of()).contains(ref.getKey()), ref.getName() + "/" + ref.getKey());
        }
        assertTrue(keys.get("driftless-github-app").contains("private-key.pem"));
    }

    @Test
    void theServiceIngressAndBudgetExposeBothPortsAndKeepOneReplica() {
        Service service = one(Service.class, "driftless");
        assertEquals(Map.of("http", 8080, "gateway", 8443), service.getSpec().getPorts().stream()
                .collect(Collectors.toMap(p -> p.getName(), p -> p.getPort())));
        Deployment d = one(Deployment.class, "driftless");
        assertEquals(d.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());

        Ingress api = one(Ingress.class, "driftless");
        Ingress functions = one(Ingress.class, "driftless-functions");
        assertTrue(api.getMetadata().getAnnotations().containsKey("cert-manager.io/cluster-issuer"));
        assertEquals(List.of("driftless.example.com", "*.driftless.example.com"), api.getSpec().getTls().get(0).getHosts());
        assertEquals("driftless-tls", api.getSpec().getTls().get(0).getSecretName());
        assertEquals("driftless.example.com", api.getSpec().getRules().get(0).getHost());
        assertEquals("http", api.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getPort().getName());
        assertEquals("*.driftless.example.com", functions.getSpec().getRules().get(0).getHost());
        assertEquals("driftless-tls", functions.getSpec().getTls().get(0).getSecretName());
        assertEquals("gateway", functions.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getPort().getName());

        PodDisruptionBudget pdb = one(PodDisruptionBudget.class, "driftless");
        assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels());

        NetworkPolicy policy = one(NetworkPolicy.class, "driftless");
        assertEquals(d.getSpec().getSelector().getMatchLabels(), policy.getSpec().getPodSelector().getMatchLabels());
        assertEquals(Set.of(8080, 8443), policy.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()));
    }

    @Test
    void theFunctionNamespacesAdmitTheseGatewayPods() {
        // KubernetesRuntime's NetworkPolicy lets in the pods these labels select: they must be the daemon's
        KubernetesRuntimeConfig defaults = KubernetesRuntimeConfig.defaults();
        Namespace ns = one(Namespace.class, "driftless");
        Map<String, String> podLabels = one(Deployment.class, "driftless").getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(ns.getMetadata().getLabels().entrySet().containsAll(defaults.gatewayNamespaceLabels().entrySet()));
        assertTrue(podLabels.entrySet().containsAll(defaults.gatewayPodLabels().entrySet()));
    }

    @Test
    void rbacIsNarrowAndBoundToTheDaemonsServiceAccount() {
        ServiceAccount sa = one(ServiceAccount.class, "driftless");
        ClusterRole runtime = one(ClusterRole.class, "driftless-runtime");
        for (PolicyRule rule : runtime.getRules()) {
            assertFalse(rule.getVerbs().contains("*") || rule.getResources().contains("*") || rule.getApiGroups().contains("*"), rule::toString);
            if (rule.getResources().contains("secrets")) {
                // The store's secrets are written into fn-<owner> and read back through an informer (list/watch,
                // selected by our label: RBAC cannot narrow by label); the daemon never deletes anyone's Secrets.
                assertEquals(List.of("secrets"), rule.getResources());
                assertEquals(Set.of("get", "list", "watch", "create", "patch"), Set.copyOf(rule.getVerbs()), rule::toString);
            }
            assertFalse(rule.getVerbs().contains("escalate") || rule.getVerbs().contains("bind") || rule.getVerbs().contains("impersonate"));
            assertFalse(rule.getResources().stream().anyMatch(r -> r.startsWith("pods/") && !r.equals("pods/log")), "no exec, attach or port-forward");
        }
        ClusterRoleBinding binding = one(ClusterRoleBinding.class, "driftless-runtime");
        assertEquals("driftless-runtime", binding.getRoleRef().getName());
        assertEquals(List.of(sa.getMetadata().getName() + "@driftless"), binding.getSubjects().stream()
                .map(s -> s.getName() + "@" + s.getNamespace()).toList());

        Role leader = one(Role.class, "driftless-leader-election");
        assertEquals("driftless", leader.getMetadata().getNamespace());
        assertTrue(leader.getRules().stream().allMatch(r -> r.getApiGroups().equals(List.of("coordination.k8s.io"))
                && r.getResources().equals(List.of("leases"))));
        assertEquals(Set.of("create", "get", "patch"), leader.getRules().stream().flatMap(r -> r.getVerbs().stream()).collect(Collectors.toSet()));
        RoleBinding leaderBinding = one(RoleBinding.class, "driftless-leader-election");
        assertEquals("driftless-leader-election", leaderBinding.getRoleRef().getName());
        assertEquals("driftless", leaderBinding.getSubjects().get(0).getName());
    }

    @Test
    void theBaseAppliesToAnApiServerAndReadsBack() {
        for (HasMetadata item : base) {
            client.resource(item).create();
        }
        for (HasMetadata item : base) {
            HasMetadata back = client.resource(item).get();
            assertNotNull(back, item.getKind() + "/" + item.getMetadata().getName());
            assertEquals(item.getMetadata().getLabels(), back.getMetadata().getLabels());
        }
        Deployment d = client.apps().deployments().inNamespace("driftless").withName("driftless").get();
        assertEquals(2, d.getSpec().getReplicas());
        assertEquals(2, client.network().v1().ingresses().inNamespace("driftless").list().getItems().size());
        assertNotNull(client.rbac().clusterRoles().withName("driftless-runtime").get());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theExampleOverlayReferencesOnlyWhatExists() throws IOException {
        Path overlay = manifests.resolve("overlays/example");
        Map<String, Object> kustomization = new Yaml().load(Files.readString(overlay.resolve("kustomization.yaml")));
        for (String resource : (List<String>) kustomization.get("resources")) {
            assertTrue(Files.isRegularFile(overlay.resolve(resource).resolve("kustomization.yaml")), resource);
        }
        String baseImage = one(Deployment.class, "driftless").getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        for (Map<String, Object> image : (List<Map<String, Object>>) kustomization.get("images")) {
            assertEquals(baseImage.substring(0, baseImage.indexOf(':')), image.get("name"), "the image rewrite matches the base image");
        }
        for (Map<String, Object> patch : (List<Map<String, Object>>) kustomization.get("patches")) {
            Path file = overlay.resolve((String) patch.get("path"));
            Object parsed = new Yaml().load(Files.readString(file));
            Map<String, Object> target = (Map<String, Object>) patch.get("target");
            if (target != null) {
                // a JSON 6902 patch: its target exists in the base, its operations parse
                assertTrue(parsed instanceof List<?> ops && !ops.isEmpty(), file.toString());
                assertTrue(base.stream().anyMatch(o -> o.getKind().equals(target.get("kind"))
                        && o.getMetadata().getName().equals(target.get("name"))), target::toString);
            } else {
                // a strategic merge patch: it loads as a Kubernetes object that the base has
                HasMetadata object;
                try (InputStream in = Files.newInputStream(file)) {
                    object = client.load(in).items().get(0);
                }
                assertTrue(base.stream().anyMatch(o -> o.getKind().equals(object.getKind())
                        && o.getMetadata().getName().equals(object.getMetadata().getName())), file.toString());
            }
        }
    }
}
