package dev.driftless.reconciler.e2e;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.runtime.kubernetes.FakeDeploymentController;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.LatestStatus;
import dev.driftless.status.StatusOutbox;
import dev.driftless.testsupport.RealComponent;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon in Kubernetes mode (fabric8's mock API, this test playing the deployment controller) with a registry
 * that asks for a password (docker-registry with htpasswd): the base is pulled and the function image pushed with
 * DRIFTLESS_REGISTRY_USERNAME/_PASSWORD, the Deployment carries the pull secret, and the owner's NetworkPolicy
 * admits the gateway from the namespace configured for it.
 */
class KubernetesPrivateRegistryEndToEndTest {
    private static final Duration BUILD = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closers.size() - 1; i >= 0; i--) {
            closers.get(i).close();
        }
    }

    @Test
    void imagesArePushedWithCredentialsAndTheClusterIsToldHowToPullThem() throws Exception {
        String component = RealComponent.AUTH_REGISTRY.require();
        String registry = component.substring(component.lastIndexOf('@') + 1);
        String user = component.substring(0, component.indexOf(':'));
        String password = component.substring(component.indexOf(':') + 1, component.lastIndexOf('@'));
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        closers.add(server::destroy);
        KubernetesClient cluster = server.createClient();
        closers.add(cluster);
        closers.add(new FakeDeploymentController(cluster));
        closers.add(KubernetesClientProperties.pointAt(server.url("/")));
        String base = pushBase(registry, user, password);

        DriftlessConfig config = new ConfigLoader(Map.ofEntries(
                Map.entry("DRIFTLESS_DATA", dir.resolve("data").toString()),
                Map.entry("DRIFTLESS_HTTP_PORT", "0"),
                Map.entry("DRIFTLESS_HTTPS_PORT", "0"),
                Map.entry("DRIFTLESS_REGISTRY", registry),
                Map.entry("DRIFTLESS_REGISTRY_INSECURE", "true"),
                Map.entry("DRIFTLESS_REGISTRY_USERNAME", user),
                Map.entry("DRIFTLESS_REGISTRY_PASSWORD", password),
                Map.entry("DRIFTLESS_RUNTIME", "kubernetes"),
                Map.entry("DRIFTLESS_CLUSTER_BASE_IMAGES", "python3=" + base),
                Map.entry("DRIFTLESS_K8S_IMAGE_PULL_SECRETS", "registry-login"),
                Map.entry("DRIFTLESS_K8S_GATEWAY_NAMESPACE", "platform"),
                Map.entry("DRIFTLESS_K8S_NODE_SELECTOR", "pool=functions"),
                Map.entry("DRIFTLESS_WORKERS", "1"),
                Map.entry("DRIFTLESS_RESYNC_INTERVAL", "1h"))).load(Optional.empty());
        Daemon daemon = Daemon.start(config, List.of(new FunctionsModule()));
        closers.add(daemon);

        String token = daemon.context().tokens().create("alice");
        Path repo = Files.createDirectories(dir.resolve("fns"));
        Files.writeString(repo.resolve("stack.yml"), """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                    labels:
                      team: web
                """);
        Path handler = Files.createDirectories(repo.resolve("hello"));
        Files.writeString(handler.resolve("handler.py"), "def handle(req):\n    return \"hello \" + req\n");
        Files.writeString(handler.resolve("requirements.txt"), "");
        E2e.git(repo, token, "init", "-q", "-b", "main");
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", "hello");
        E2e.git(repo, token, "push", "-q", "http://127.0.0.1:" + daemon.httpPort() + "/git/alice/fns.git", "main");
        String commit = E2e.git(repo, token, "rev-parse", "HEAD").strip();

        StatusOutbox statuses = new StatusOutbox(daemon.context().database().dataSource());
        E2e.await("driftless/stack of " + commit + " to succeed", BUILD,
                () -> statuses.latestStates("alice", "fns").get("driftless/stack"),
                latest -> latest != null && ((LatestStatus) latest).sha().equals(commit)
                        && ((LatestStatus) latest).state() != CommitStatus.State.PENDING);
        LatestStatus stack = statuses.latestStates("alice", "fns").get("driftless/stack");
        assertEquals(CommitStatus.State.SUCCESS, stack.state(), stack.toString());

        Deployment deployment = cluster.apps().deployments().inNamespace("fn-alice").withName("hello").get();
        assertNotNull(deployment);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertEquals(List.of(new LocalObjectReference("registry-login")), pod.getImagePullSecrets());
        assertEquals(Map.of("pool", "functions"), pod.getNodeSelector());
        assertEquals("web", deployment.getSpec().getTemplate().getMetadata().getLabels().get("team"));
        String image = pod.getContainers().get(0).getImage();
        assertTrue(image.startsWith(registry + "/alice/fns/hello@sha256:"), image);
        String manifest = "http://" + registry + "/v2/alice/fns/hello/manifests/" + image.substring(image.indexOf('@') + 1);
        assertEquals(401, head(manifest, null), "nobody reads it without the password");
        assertEquals(200, head(manifest, user + ":" + password), "pushed with the credentials");

        NetworkPolicy policy = cluster.network().v1().networkPolicies().inNamespace("fn-alice")
                .withName("driftless-gateway-only").get();
        assertEquals(Map.of("kubernetes.io/metadata.name", "platform"),
                policy.getSpec().getIngress().get(0).getFrom().get(0).getNamespaceSelector().getMatchLabels());
    }

    /** A stand-in for python:3.11-slim in the password registry. */
    private String pushBase(String registry, String user, String password) throws Exception {
        Path marker = Files.writeString(dir.resolve("base-marker"), "private base\n");
        String reference = registry + "/mirror/python:3.11-slim";
        System.setProperty("sendCredentialsOverHttp", "true"); // the test registry is plain HTTP on loopback
        Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(marker, AbsoluteUnixPath.get("/etc/driftless-test-base")).build())
                .containerize(Containerizer.to(RegistryImage.named(reference).addCredential(user, password))
                        .setAllowInsecureRegistries(true));
        return reference;
    }

    private static int head(String url, String login) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        if (login != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
