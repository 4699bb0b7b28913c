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
import dev.driftless.reconciler.store.TestDatabases;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.LatestStatus;
import dev.driftless.status.StatusOutbox;
import dev.driftless.testsupport.RealComponent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two daemon replicas in Kubernetes mode, as the manifests run them: one PostgreSQL, one registry, one
 * API server (fabric8's mock, with this test playing the deployment controller). The system git pushes
 * to replica A, which builds the function on a base taken from {@code DRIFTLESS_CLUSTER_BASE_IMAGES},
 * pushes it to the real registry and writes its Deployment and Service. Replica B, which built nothing,
 * then routes the function too, and forgets it when A prunes it. Nothing resolves the Service's cluster
 * DNS name here, so a routed function answers 502 "function unavailable" and an unknown one 404.
 */
class KubernetesReplicasEndToEndTest {
    private static final Duration BUILD = Duration.ofMinutes(4);
    private static final String NOT_FOUND = "404 {\"error\":\"function not found\"}";
    /** Routed to the function's Service, whose cluster DNS name nothing resolves outside a cluster. */
    private static final String UNAVAILABLE = "502 {\"error\":\"function unavailable\"}";
    private static final List<String> CLIENT_PROPERTIES = List.of("kubernetes.master", "kubernetes.auth.tryKubeConfig",
            "kubernetes.auth.tryServiceAccount", "kubernetes.trust.certificates", "kubernetes.namespace");

    @TempDir
    Path dir;

    private final List<AutoCloseable> closers = new ArrayList<>();
    private final Map<String, String> savedProperties = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closers.size() - 1; i >= 0; i--) {
            closers.get(i).close();
        }
        for (String property : CLIENT_PROPERTIES) {
            String saved = savedProperties.get(property);
            if (saved == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, saved);
            }
        }
    }

    @Test
    void aFunctionDeployedThroughOneReplicaIsRoutedByTheOtherAndForgottenWhenPruned() throws Exception {
        String registry = RealComponent.REGISTRY.require();
        String database = TestDatabases.freshPostgresSchemaUrl();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        closers.add(server::destroy);
        KubernetesClient cluster = server.createClient();
        closers.add(cluster);
        closers.add(new FakeDeploymentController(cluster));
        // The daemons build their clients "the usual way"; here that way leads to the mock.
        useCluster(server.url("/"));
        String base = pushBaseImage(registry);

        FunctionsModule a = new FunctionsModule();
        Daemon replicaA = start(a, "a", registry, database, base, 2);
        FunctionsModule b = new FunctionsModule();
        Daemon replicaB = start(b, "b", registry, database, base, 0);
        HttpClient httpsB = E2e.trusting(b.gateway().caCertificate().orElseThrow());
        String endpointB = "https://localhost:" + b.gateway().httpsPort() + "/f/alice/hello";
        assertEquals(NOT_FOUND, answer(httpsB, endpointB), "nothing deployed yet");

        String token = replicaA.context().tokens().create("alice");
        Path repo = Files.createDirectories(dir.resolve("fns"));
        writeStack(repo, "hello");
        writeHandler(repo, "hello");
        E2e.git(repo, null, "init", "-q", "-b", "main");
        String remote = "http://127.0.0.1:" + replicaA.httpPort() + "/git/alice/fns.git";
        String first = commitAndPush(repo, token, remote, "hello");

        StatusOutbox statuses = new StatusOutbox(replicaA.context().database().dataSource());
        awaitStack(statuses, first, CommitStatus.State.SUCCESS);
        Deployment deployment = cluster.apps().deployments().inNamespace("fn-alice").withName("hello").get();
        assertNotNull(deployment, "replica A wrote the Deployment");
        String image = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        assertTrue(image.startsWith(registry + "/alice/fns/hello@sha256:"), image);
        assertNotNull(cluster.services().inNamespace("fn-alice").withName("hello").get(), "and its Service");
        String baseLayer = layers(registry, "mirror/python", "3.11-slim").get(0);
        assertEquals(baseLayer, layers(registry, "alice/fns/hello", image.substring(image.indexOf('@') + 1)).get(0),
                "the function image is built on the configured mirror of its template's base");

        // Replica B built nothing and was told nothing: it learns the route from the store.
        E2e.await("replica B to route alice/hello", Duration.ofSeconds(30),
                () -> answer(httpsB, endpointB), seen -> seen.equals(UNAVAILABLE));

        // The next commit replaces hello with bye: replica A prunes one and deploys the other, B follows.
        writeStack(repo, "bye");
        writeHandler(repo, "bye");
        String second = commitAndPush(repo, token, remote, "hello is now bye");
        awaitStack(statuses, second, CommitStatus.State.SUCCESS);
        assertEquals(null, cluster.apps().deployments().inNamespace("fn-alice").withName("hello").get(), "pruned");
        E2e.await("replica B to forget alice/hello", Duration.ofSeconds(30),
                () -> answer(httpsB, endpointB), seen -> seen.equals(NOT_FOUND));
        E2e.await("replica B to route alice/bye", Duration.ofSeconds(30),
                () -> answer(httpsB, endpointB.replace("/hello", "/bye")), seen -> seen.equals(UNAVAILABLE));

        // Exactly one replica holds the Lease (and runs the periodic resync); a clean stop hands it over.
        E2e.await("one replica to lead", Duration.ofSeconds(60), () -> leads(replicaA) + " " + leads(replicaB),
                seen -> seen.equals("true false") || seen.equals("false true"));
        Lease lease = cluster.leases().inNamespace("driftless").withName("driftless-leader").get();
        assertNotNull(lease, "the Lease the manifests' Role allows");
        Daemon leader = leads(replicaA) ? replicaA : replicaB;
        Daemon follower = leader == replicaA ? replicaB : replicaA;
        String holder = lease.getSpec().getHolderIdentity();
        assertTrue(holder != null && !holder.isBlank(), "the Lease names its holder");
        closers.remove(leader);
        leader.close();
        E2e.await("the other replica to take over", Duration.ofSeconds(60), () -> leads(follower), led -> (Boolean) led);
        String next = cluster.leases().inNamespace("driftless").withName("driftless-leader").get().getSpec()
                .getHolderIdentity();
        assertTrue(next != null && !next.isBlank() && !next.equals(holder),
                "the Lease now names the other replica: " + holder + " -> " + next);
    }

    /** What the replica's {@code driftless_leader} gauge says. */
    private static boolean leads(Daemon daemon) throws Exception {
        String metrics = E2e.get(HttpClient.newHttpClient(), "http://127.0.0.1:" + daemon.httpPort() + "/metrics").body();
        return metrics.lines().anyMatch(line -> line.equals("driftless_leader 1.0"));
    }

    private Daemon start(FunctionsModule functions, String name, String registry, String database, String base,
                         int workers) throws Exception {
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve(name).toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_DB_URL", database,
                "DRIFTLESS_REGISTRY", registry,
                "DRIFTLESS_REGISTRY_INSECURE", "true",
                "DRIFTLESS_RUNTIME", "kubernetes",
                "DRIFTLESS_CLUSTER_BASE_IMAGES", "python3=" + base,
                "DRIFTLESS_WORKERS", Integer.toString(workers),
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        Daemon daemon = Daemon.start(config, List.of(functions));
        closers.add(daemon);
        return daemon;
    }

    private void useCluster(String masterUrl) {
        for (String property : CLIENT_PROPERTIES) {
            savedProperties.put(property, System.getProperty(property));
        }
        System.setProperty("kubernetes.master", masterUrl);
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        System.setProperty("kubernetes.trust.certificates", "true");
        System.setProperty("kubernetes.namespace", "driftless");
    }

    /** A stand-in for python:3.11-slim in the real registry: a mirror, as an air-gapped cluster would use. */
    private String pushBaseImage(String registry) throws Exception {
        Path marker = Files.writeString(dir.resolve("base-marker"), "driftless test base\n");
        String reference = registry + "/mirror/python:3.11-slim";
        Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(marker, AbsoluteUnixPath.get("/etc/driftless-test-base")).build())
                .containerize(Containerizer.to(RegistryImage.named(reference)).setAllowInsecureRegistries(true));
        return reference;
    }

    private static void writeStack(Path repo, String function) throws Exception {
        Files.writeString(repo.resolve("stack.yml"), """
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  %s:
                    lang: python3
                    handler: ./%s
                    image: alice/%s:latest
                """.formatted(function, function, function));
    }

    private static void writeHandler(Path repo, String function) throws Exception {
        Path handler = Files.createDirectories(repo.resolve(function));
        Files.writeString(handler.resolve("handler.py"), "def handle(req):\n    return \"%s \" + req\n".formatted(function));
        Files.writeString(handler.resolve("requirements.txt"), "");
    }

    private static String commitAndPush(Path repo, String token, String remote, String message) throws Exception {
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", message);
        E2e.git(repo, token, "push", "-q", remote, "main");
        return E2e.git(repo, token, "rev-parse", "HEAD").strip();
    }

    private static void awaitStack(StatusOutbox statuses, String commit, CommitStatus.State state) throws Exception {
        E2e.await("driftless/stack of " + commit + " to be " + state, BUILD,
                () -> statuses.latestStates("alice", "fns").get("driftless/stack"),
                latest -> latest != null && ((LatestStatus) latest).sha().equals(commit)
                        && ((LatestStatus) latest).state() == state);
    }

    /** The layer digests of an image in the registry, base first. */
    private static List<String> layers(String registry, String repository, String reference) throws Exception {
        HttpResponse<String> manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://" + registry + "/v2/" + repository + "/manifests/" + reference))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, manifest.statusCode(), repository + ":" + reference);
        List<String> digests = new ArrayList<>();
        new JsonObject(manifest.body()).getJsonArray("layers")
                .forEach(layer -> digests.add(((JsonObject) layer).getString("digest")));
        return digests;
    }

    private static String answer(HttpClient https, String endpoint) throws Exception {
        HttpResponse<String> response = E2e.get(https, endpoint);
        return response.statusCode() + " " + response.body().strip();
    }
}
