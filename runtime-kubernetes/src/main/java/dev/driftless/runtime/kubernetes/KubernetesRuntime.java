package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentList;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Functions as Kubernetes Deployments, one namespace per owner, through fabric8's blocking client.
 *
 * <p>Every {@link #deploy} is level-based: the desired Namespace, NetworkPolicy, Service and Deployment are
 * computed once, read back, compared in the fields we set, and written only when they differ (plain
 * create/update: no server-side apply, which the mock API server refuses). A Deployment whose spec-hash
 * annotation matches but whose fields do not was edited by hand and is put back ({@code DriftReverted}).
 * A rollout that does not become available is rolled back to the Deployment that served before it.
 *
 * <p>Tenant walls: the namespace comes only from the verified owner; names are checked as DNS labels before
 * any call; every read and write for an owner is scoped to that owner's namespace and our labels; objects
 * not labelled as ours, or belonging to another repository, are never overwritten.
 */
public final class KubernetesRuntime implements FunctionRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRuntime.class);
    private static final int CONFLICT_RETRIES = 3;
    /**
     * Passes tried when the API server answers 5xx or 429 (each request of a pass is already retried by fabric8's
     * client, {@code requestRetryBackoffLimit}: 10 times from 100 ms, doubling): the second pass starts from fresh reads.
     */
    static final int SERVER_ERROR_RETRIES = 2;
    private static final Duration SERVER_ERROR_BACKOFF = Duration.ofMillis(200);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final KubernetesRuntimeConfig config;
    private final OurKeys keys;
    private final FunctionManifests functions;
    private final OwnerManifests owners;
    private final RolloutWatcher watcher;
    private final ClusterCache cache;

    /** Uses {@code client} (the caller closes it) with {@code config}. */
    public KubernetesRuntime(KubernetesClient client, KubernetesRuntimeConfig config) {
        this(client, false, config);
    }

    private KubernetesRuntime(KubernetesClient client, boolean ownsClient, KubernetesRuntimeConfig config) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.config = Objects.requireNonNull(config, "config");
        this.keys = new OurKeys(config.labelPrefix());
        this.functions = new FunctionManifests(config);
        this.owners = new OwnerManifests(config);
        this.cache = new ClusterCache(client, INFORMER_SYNC_TIMEOUT);
        this.watcher = new RolloutWatcher(client, cache, config.rolloutTimeout(), config.pollInterval());
    }

    /** How long a first use waits for the informers' first list before falling back to reading the API server. */
    private static final Duration INFORMER_SYNC_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Starts the informers and waits for their first list, so the first resync already reads from the cache.
     * Optional: the first call that needs the cache starts them too. Returns this runtime.
     */
    public KubernetesRuntime start() {
        cache.start();
        return this;
    }

    /** The informers' view, for tests that must wait until it has seen a hand edit. */
    ClusterCache cache() {
        return cache;
    }

    /** Whether the informers have listed once: until then the runtime is not ready. */
    public boolean ready() {
        return cache.synced();
    }

    private volatile Optional<SecretFeed> secretFeed = Optional.empty();

    /**
     * Feeds Secrets from {@code feed}: before a rollout each secret the function names is written to
     * {@code fn-<owner>} (created, or updated when its value changed; a running pod's projected volume
     * picks the new value up without a restart). Returns this runtime.
     */
    public KubernetesRuntime withSecrets(SecretFeed feed) {
        this.secretFeed = Optional.of(feed);
        return this;
    }

    /** A runtime with a client configured the usual way (in-cluster service account, else kubeconfig); closed with it. */
    public static KubernetesRuntime connect(KubernetesRuntimeConfig config) {
        return new KubernetesRuntime(new KubernetesClientBuilder().build(), true, config);
    }

    @Override
    public String kind() {
        return "kubernetes";
    }

    @Override
    public RolloutResult deploy(FunctionDeployment deployment) throws InterruptedException {
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                return new Pass(deployment, started).run();
            } catch (KubernetesClientException e) {
                // 409: someone (a controller, a person) wrote between our read and our write; 5xx/429: the API server
                // had a bad moment. Either way the pass is level-based: read again, decide again (a failed write wrote
                // nothing, and the serving Deployment is only ever replaced by one update).
                boolean conflict = e.getCode() == 409;
                boolean transientError = e.getCode() >= 500 || e.getCode() == 429;
                if (!(conflict || transientError) || attempt == (conflict ? CONFLICT_RETRIES : SERVER_ERROR_RETRIES)) {
                    throw e;
                }
                LOG.info("event=kubernetes.retry owner={} function={} code={} attempt={} error=\"{}\"", deployment.owner(),
                        deployment.function(), e.getCode(), attempt, e.getMessage());
                if (transientError) {
                    Thread.sleep(SERVER_ERROR_BACKOFF.toMillis() * attempt);
                }
            }
        }
    }

    /** Why a deploy wrote nothing: an object in the way belongs to someone else. */
    private record Refusal(String reason, String message) { }

    /** One deploy: an outline of steps that each compare, then write only when different. */
    private final class Pass {
        private final FunctionDeployment fn;
        private final long started;
        private final OwnerNamespace ns;
        private final List<String> drift = new ArrayList<>();

        Pass(FunctionDeployment fn, long started) {
            this.fn = fn;
            this.started = started;
            this.ns = OwnerNamespace.of(fn.owner(), config.namespacePrefix());
        }

        RolloutResult run() throws InterruptedException {
            FunctionManifests.Desired desired;
            try {
                desired = functions.desired(fn, ns);
            } catch (InvalidFunctionSpec e) {
                return failed("InvalidSpec", e.getMessage(), List.of());
            }
            Optional<Refusal> refused = ensureNamespace();
            if (refused.isEmpty()) {
                refused = ensureSecrets();
            }
            if (refused.isEmpty()) {
                // the informers' view first: when it shows everything as desired, nothing is read or written
                Deployment actual = cache.deployment(ns.name(), fn.function()).orElse(null);
                Service actualService = cache.service(ns.name(), fn.function()).orElse(null);
                if (actual == null || actualService == null || !unchanged(desired, actual, actualService)) {
                    // missing or different in the cache: decide on what the API server holds now
                    actual = deployments().withName(fn.function()).get();
                    actualService = client.services().inNamespace(ns.name()).withName(fn.function()).get();
                }
                Deployment foundDeployment = actual;
                Service foundService = actualService;
                refused = claimable(foundDeployment).or(() -> claimable(foundService));
                if (refused.isEmpty()) {
                    ensureNetworkPolicy();
                    boolean serviceCreated = ensureService(desired.service(), actualService, actual != null);
                    return actual == null
                            ? create(desired, actualService != null, serviceCreated)
                            : update(desired, actual);
                }
            }
            return failed(refused.get().reason(), refused.get().message(), List.of());
        }

        /** Whether the cached objects are ours for this function and equal the desired ones in every field we set. */
        private boolean unchanged(FunctionManifests.Desired desired, Deployment actual, Service actualService) {
            return claimable(actual).isEmpty() && claimable(actualService).isEmpty()
                    && DeploymentDrift.of(desired.deployment(), actual, keys.specHash()).isEmpty()
                    && DeploymentDrift.of(desired.service(), actualService).isEmpty()
                    && cache.networkPolicy(ns.name(), OwnerManifests.NETWORK_POLICY).map(this::policyAsWanted).orElse(false);
        }

        private boolean policyAsWanted(NetworkPolicy have) {
            NetworkPolicy want = owners.networkPolicy(ns);
            return Objects.equals(want.getSpec(), have.getSpec())
                    && DeploymentDrift.contains(have.getMetadata().getLabels(), want.getMetadata().getLabels());
        }

        /** The owner's namespace, created when missing; refused when it exists and is not ours for this owner. */
        private Optional<Refusal> ensureNamespace() {
            Namespace want = owners.namespace(ns);
            Optional<Namespace> cached = cache.namespace(ns.name());
            if (cached.isPresent() && DeploymentDrift.contains(cached.get().getMetadata().getLabels(), want.getMetadata().getLabels())) {
                return Optional.empty();
            }
            Namespace have = client.namespaces().withName(ns.name()).get();
            if (have == null) {
                try {
                    client.namespaces().resource(want).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    // another worker created it first; it is checked on the next pass
                }
                return Optional.empty();
            }
            if (!DeploymentDrift.contains(have.getMetadata().getLabels(), want.getMetadata().getLabels())) {
                return Optional.of(new Refusal("NotOurs", "namespace " + ns.name()
                        + " exists but is not labelled as Driftless's for owner " + ns.owner() + "; nothing was written"));
            }
            return Optional.empty();
        }

        /** With a secret feed: each named secret written as a Secret of ours; a missing one stops the rollout by name. */
        private Optional<Refusal> ensureSecrets() {
            if (secretFeed.isEmpty()) {
                return Optional.empty();
            }
            for (String name : fn.secrets().stream().sorted().distinct().toList()) {
                Optional<byte[]> value;
                try {
                    value = secretFeed.get().read(fn.owner(), name);
                } catch (java.io.IOException e) {
                    return Optional.of(new Refusal("SecretUnreadable", "secret " + name + " of " + fn.owner()
                            + " could not be read: " + e.getMessage()));
                }
                Map<String, String> wanted = value.map(v -> Map.of(name, java.util.Base64.getEncoder().encodeToString(v))).orElse(null);
                Optional<Secret> cached = cache.secret(ns.name(), name);
                if (wanted != null && cached.isPresent() && wanted.equals(cached.get().getData())) {
                    continue; // ours (the informer selects our label) and holding the stored value
                }
                Secret have = client.secrets().inNamespace(ns.name()).withName(name).get();
                if (value.isEmpty()) {
                    if (have == null) {
                        return Optional.of(new Refusal("SecretNotFound", "secret " + name + " of " + fn.owner()
                                + " does not exist; create it before deploying " + fn.function()));
                    }
                    continue; // made by hand in the namespace, as before the store held secrets
                }
                Map<String, String> data = Map.of(name, java.util.Base64.getEncoder().encodeToString(value.get()));
                if (have == null) {
                    client.secrets().inNamespace(ns.name()).resource(new SecretBuilder()
                            .withNewMetadata().withName(name).withNamespace(ns.name())
                            .addToLabels(OurKeys.MANAGED_BY, OurKeys.MANAGER).addToLabels(keys.owner(), fn.owner())
                            .endMetadata().withType("Opaque").withData(data).build()).create();
                } else if (!OurKeys.MANAGER.equals(have.getMetadata().getLabels() == null ? null
                        : have.getMetadata().getLabels().get(OurKeys.MANAGED_BY))) {
                    return Optional.of(new Refusal("NotOurs", "Secret " + name + " in " + ns.name()
                            + " exists and is not Driftless's; delete it to use the stored secret, or delete the stored one"));
                } else if (!data.equals(have.getData())) {
                    client.secrets().inNamespace(ns.name()).withName(name)
                            .edit(s -> new SecretBuilder(s).withData(data).build());
                }
            }
            return Optional.empty();
        }

        private void ensureNetworkPolicy() {
            if (cache.networkPolicy(ns.name(), OwnerManifests.NETWORK_POLICY).map(this::policyAsWanted).orElse(false)) {
                return;
            }
            NetworkPolicy want = owners.networkPolicy(ns);
            var resource = client.network().v1().networkPolicies().inNamespace(ns.name()).withName(OwnerManifests.NETWORK_POLICY);
            NetworkPolicy have = resource.get();
            if (have == null) {
                try {
                    client.network().v1().networkPolicies().inNamespace(ns.name()).resource(want).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    return; // another worker deploying for this owner created it first
                }
                // only an owner with functions already had one: then it was deleted by hand
                if (!client.apps().deployments().inNamespace(ns.name()).withLabels(owners.labels(ns)).list().getItems().isEmpty()) {
                    drift.add("NetworkPolicy " + OwnerManifests.NETWORK_POLICY + " was deleted");
                }
            } else if (!Objects.equals(want.getSpec(), have.getSpec())
                    || !DeploymentDrift.contains(have.getMetadata().getLabels(), want.getMetadata().getLabels())) {
                resource.edit(np -> new NetworkPolicyBuilder(np)
                        .editMetadata().addToLabels(want.getMetadata().getLabels()).endMetadata()
                        .withSpec(want.getSpec()).build());
                drift.add("NetworkPolicy " + OwnerManifests.NETWORK_POLICY + " was edited");
            }
        }

        /** @return true when this pass created the Service */
        private boolean ensureService(Service want, Service have, boolean deploymentExists) {
            if (have == null) {
                client.services().inNamespace(ns.name()).resource(want).create();
                if (deploymentExists) {
                    drift.add("Service " + fn.function() + " was deleted");
                }
                return true;
            }
            List<String> edited = DeploymentDrift.of(want, have);
            if (!edited.isEmpty()) {
                // keep what the server assigned (cluster IP); put back the fields we set
                client.services().inNamespace(ns.name()).withName(fn.function()).edit(s -> new ServiceBuilder(s)
                        .editMetadata().addToLabels(want.getMetadata().getLabels()).endMetadata()
                        .editSpec()
                            .withType(want.getSpec().getType())
                            .withSelector(want.getSpec().getSelector())
                            .withPorts(want.getSpec().getPorts())
                        .endSpec()
                        .build());
                drift.add("Service " + fn.function() + ": " + String.join(", ", edited));
            }
            return false;
        }

        private RolloutResult create(FunctionManifests.Desired desired, boolean serviceExisted, boolean serviceCreated)
                throws InterruptedException {
            if (serviceExisted) {
                drift.add("Deployment " + fn.function() + " was deleted");
            }
            Deployment created = deployments().resource(desired.deployment()).create();
            RolloutWatcher.Rollout rollout = watcher.await(ns.name(), fn.function(), generation(created), fn.image(), desired.selector());
            if (!rollout.available()) {
                List<String> logs = logsOf(rollout.failingPod(), 50);
                // nothing served before: remove what this pass made, so a broken version is not left behind
                deployments().withName(fn.function()).delete();
                if (serviceCreated) {
                    client.services().inNamespace(ns.name()).withName(fn.function()).delete();
                }
                return failed(rollout.reason(), "rollout of " + fn.image() + " failed: " + rollout.message()
                        + "; no earlier version was serving, the new Deployment was removed", logs);
            }
            return drift.isEmpty()
                    ? rolledOut("Created", "created and available: " + rollout.message())
                    : rolledOut("DriftReverted", "put back: " + String.join("; ", drift));
        }

        private RolloutResult update(FunctionManifests.Desired desired, Deployment actual) throws InterruptedException {
            List<String> differences = DeploymentDrift.of(desired.deployment(), actual, keys.specHash());
            if (differences.isEmpty()) {
                return drift.isEmpty() ? RolloutResult.unchanged() : rolledOut("DriftReverted", "put back: " + String.join("; ", drift));
            }
            boolean newRelease = !desired.specHash().equals(annotation(actual, keys.specHash()));
            // scaled to zero for idling (scaleToZero): its 0 replicas are asleep, not drift; this deploy wakes it
            boolean asleep = annotation(actual, keys.scaledToZero()) != null;
            List<String> edited = asleep ? differences.stream().filter(d -> !d.startsWith("scaled to 0 replicas")).toList() : differences;
            if (!newRelease && !edited.isEmpty()) {
                drift.add("Deployment " + fn.function() + ": " + String.join(", ", edited));
            }
            Deployment written = deployments().resource(merged(desired.deployment(), actual, newRelease)).update();
            RolloutWatcher.Rollout rollout = watcher.await(ns.name(), fn.function(), generation(written), fn.image(), desired.selector());
            if (!rollout.available()) {
                List<String> logs = logsOf(rollout.failingPod(), 50);
                String back = rollBack(actual);
                return failed(rollout.reason(), "rollout of " + fn.image() + " (release " + fn.release() + ") failed: "
                        + rollout.message() + "; " + back, logs);
            }
            if (newRelease) {
                return rolledOut("RolloutSucceeded", "release " + fn.release() + " available: " + rollout.message()
                        + (drift.isEmpty() ? "" : "; also put back: " + String.join("; ", drift)));
            }
            if (asleep && drift.isEmpty()) {
                return rolledOut("Woken", "scaled back up from zero: " + rollout.message());
            }
            return rolledOut("DriftReverted", "put back: " + String.join("; ", drift));
        }

        /**
         * The desired Deployment over the live one: our labels and annotations replace theirs, annotations the
         * cluster's own tools keep ({@code *.kubernetes.io/...}) stay, and the digest that served before is recorded.
         */
        private Deployment merged(Deployment desired, Deployment actual, boolean newRelease) {
            Map<String, String> annotations = new TreeMap<>();
            Map<String, String> before = actual.getMetadata().getAnnotations() == null ? Map.of() : actual.getMetadata().getAnnotations();
            before.forEach((k, v) -> {
                if (k.contains("kubernetes.io/")) {
                    annotations.put(k, v);
                }
            });
            annotations.putAll(desired.getMetadata().getAnnotations());
            String servedImage = imageOf(actual).orElse(null);
            if (newRelease && servedImage != null && !servedImage.equals(fn.image())) {
                annotations.put(keys.previousImage(), servedImage);
                Optional.ofNullable(before.get(keys.release())).ifPresent(r -> annotations.put(keys.previousRelease(), r));
            } else {
                Optional.ofNullable(before.get(keys.previousImage())).ifPresent(v -> annotations.put(keys.previousImage(), v));
                Optional.ofNullable(before.get(keys.previousRelease())).ifPresent(v -> annotations.put(keys.previousRelease(), v));
            }
            return new DeploymentBuilder(desired)
                    .editMetadata()
                        .withResourceVersion(actual.getMetadata().getResourceVersion())
                        .withAnnotations(annotations)
                    .endMetadata()
                    .build();
        }

        /** Re-applies the Deployment as it was before this pass; its old pods never stopped (maxUnavailable 0). */
        private String rollBack(Deployment before) throws InterruptedException {
            Deployment current = deployments().withName(fn.function()).get();
            Deployment restored = new DeploymentBuilder(before)
                    .editMetadata()
                        .withResourceVersion(current == null ? null : current.getMetadata().getResourceVersion())
                    .endMetadata()
                    .withStatus(null)
                    .build();
            Deployment written = current == null
                    ? deployments().resource(new DeploymentBuilder(restored).editMetadata().withResourceVersion(null)
                            .withUid(null).withGeneration(null).withCreationTimestamp(null).endMetadata().build()).create()
                    : deployments().resource(restored).update();
            String previous = imageOf(before).orElse("the previous spec");
            RolloutWatcher.Rollout back = watcher.await(ns.name(), fn.function(), generation(written), previous,
                    before.getSpec().getSelector().getMatchLabels());
            return "rolled back to " + previous + (back.available() ? ", which serves" : ", which is not available either: " + back.message());
        }

        private RolloutResult rolledOut(String reason, String message) {
            return new RolloutResult(RolloutResult.Outcome.ROLLED_OUT, reason, message, elapsed(), List.of());
        }

        private RolloutResult failed(String reason, String message, List<String> logs) {
            LOG.info("deploy of {}/{} failed: {}: {}", fn.owner(), fn.function(), reason, message);
            return new RolloutResult(RolloutResult.Outcome.FAILED, reason, message, elapsed(), logs);
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - started);
        }

        /** Refuses objects of the function's name that are not ours, not this owner's, or another repository's. */
        private Optional<Refusal> claimable(HasMetadata existing) {
            if (existing == null) {
                return Optional.empty();
            }
            Map<String, String> labels = existing.getMetadata().getLabels() == null ? Map.of() : existing.getMetadata().getLabels();
            String kind = existing.getKind() == null ? "object" : existing.getKind();
            if (!OurKeys.MANAGER.equals(labels.get(OurKeys.MANAGED_BY)) || !ns.ownerLabel().equals(labels.get(keys.owner()))) {
                return Optional.of(new Refusal("NotOurs", kind + " " + ns.name() + "/" + fn.function()
                        + " exists and is not managed by Driftless for " + ns.owner() + "; nothing was written"));
            }
            String repository = labels.get(keys.repository());
            if (!KubeNames.labelValue(fn.repository()).equals(repository)) {
                return Optional.of(new Refusal("NameTaken", "name '" + fn.function() + "' is already used by repository '"
                        + repository + "' of " + ns.owner() + "; nothing was written"));
            }
            return Optional.empty();
        }

        private NonNamespaceOperation<Deployment, DeploymentList, RollableScalableResource<Deployment>> deployments() {
            return client.apps().deployments().inNamespace(ns.name());
        }

        private List<String> logsOf(Optional<String> pod, int maxLines) {
            return pod.map(p -> podLog(ns.name(), p, maxLines)).orElse(List.of());
        }
    }

    /**
     * Scales the function's Deployment to 0 replicas and marks it {@code scaled-to-zero}: a later {@link #deploy} of
     * the same input scales it back up ({@code Woken}) and waits, on watch events, until it is available again.
     * Only our Deployment of that owner and repository; absent, it does nothing. A conflicting write is read again.
     */
    @Override
    public void scaleToZero(FunctionDeployment deployment) throws InterruptedException {
        if (!KubeNames.isDnsLabel(deployment.function())) {
            return;
        }
        OwnerNamespace ns = OwnerNamespace.of(deployment.owner(), config.namespacePrefix());
        for (int attempt = 1; ; attempt++) {
            Deployment have = client.apps().deployments().inNamespace(ns.name()).withName(deployment.function()).get();
            Map<String, String> labels = have == null || have.getMetadata().getLabels() == null ? Map.of() : have.getMetadata().getLabels();
            if (have == null || !OurKeys.MANAGER.equals(labels.get(OurKeys.MANAGED_BY)) || !ns.ownerLabel().equals(labels.get(keys.owner()))
                    || !KubeNames.labelValue(deployment.repository()).equals(labels.get(keys.repository()))) {
                return;
            }
            if (Integer.valueOf(0).equals(have.getSpec().getReplicas()) && annotation(have, keys.scaledToZero()) != null) {
                return;
            }
            try {
                client.apps().deployments().inNamespace(ns.name()).resource(new DeploymentBuilder(have)
                        .editMetadata().addToAnnotations(keys.scaledToZero(), java.time.Instant.now().toString()).endMetadata()
                        .editSpec().withReplicas(0).endSpec()
                        .build()).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    /**
     * Where the gateway reaches a function inside the cluster: its Service, {@code http://hello.fn-alice.svc:8080}.
     * Only for a valid function name; the namespace comes from the owner, as for every other call.
     */
    public URI endpoint(String owner, String function) {
        if (!KubeNames.isDnsLabel(function)) {
            throw new IllegalArgumentException("function name '" + function + "' is not a DNS-1123 label");
        }
        OwnerNamespace ns = OwnerNamespace.of(owner, config.namespacePrefix());
        return URI.create("http://" + function + "." + ns.name() + ".svc:" + FunctionManifests.PORT);
    }

    @Override
    public List<DeployedFunction> list(String owner, String repository) {
        OwnerNamespace ns = OwnerNamespace.of(owner, config.namespacePrefix());
        Map<String, String> selector = ownerSelector(ns);
        selector.put(keys.repository(), KubeNames.labelValue(repository));
        return deployed(ns, selector);
    }

    @Override
    public List<DeployedFunction> listOwner(String owner) {
        OwnerNamespace ns = OwnerNamespace.of(owner, config.namespacePrefix());
        return deployed(ns, ownerSelector(ns));
    }

    private List<DeployedFunction> deployed(OwnerNamespace ns, Map<String, String> selector) {
        return ours(ns, selector).stream()
                .map(d -> toDeployed(ns, d))
                .sorted(Comparator.comparing(DeployedFunction::function))
                .toList();
    }

    private DeployedFunction toDeployed(OwnerNamespace ns, Deployment d) {
        Map<String, String> labels = d.getMetadata().getLabels();
        String repository = Optional.ofNullable(annotation(d, keys.repositoryName())).orElse(labels.get(keys.repository()));
        int release;
        try {
            release = Integer.parseInt(Objects.toString(annotation(d, keys.release()), "0"));
        } catch (NumberFormatException e) {
            release = 0;
        }
        int ready = d.getStatus() == null || d.getStatus().getAvailableReplicas() == null ? 0 : d.getStatus().getAvailableReplicas();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        return new DeployedFunction(ns.owner(), repository, labels.get(keys.function()), imageOf(d).orElse(""),
                Objects.toString(annotation(d, keys.commit()), ""), release, Math.min(ready, desired), desired);
    }

    @Override
    public void remove(String owner, String repository, String function) {
        if (!KubeNames.isDnsLabel(function)) {
            return; // no function of ours can have that name
        }
        OwnerNamespace ns = OwnerNamespace.of(owner, config.namespacePrefix());
        Map<String, String> selector = ownerSelector(ns);
        selector.put(keys.repository(), KubeNames.labelValue(repository));
        selector.put(keys.function(), function);
        // selected by labels we recorded, never by name: another repository's function of that name stays
        List<Deployment> removed = ours(ns, selector);
        for (Deployment d : removed) {
            client.apps().deployments().inNamespace(ns.name()).withName(d.getMetadata().getName()).delete();
        }
        for (Service s : client.services().inNamespace(ns.name()).withLabels(selector).list().getItems()) {
            client.services().inNamespace(ns.name()).withName(s.getMetadata().getName()).delete();
        }
        // read your writes: a list right after a prune does not show the function any more
        for (Deployment d : removed) {
            try {
                cache.awaitDeploymentGone(ns.name(), d.getMetadata().getName(), config.rolloutTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Our Deployments in a namespace by labels: from the informers' cache, from the API server until it has listed. */
    private List<Deployment> ours(OwnerNamespace ns, Map<String, String> selector) {
        return cache.deployments(ns.name(), selector)
                .orElseGet(() -> client.apps().deployments().inNamespace(ns.name()).withLabels(selector).list().getItems());
    }

    /**
     * The newest pod's last lines through the pod log API. Best effort: with no pod, or an API server that
     * does not serve logs, the answer is empty and the reason is logged.
     */
    @Override
    public List<String> recentLogs(String owner, String function, int maxLines) {
        if (!KubeNames.isDnsLabel(function) || maxLines <= 0) {
            return List.of();
        }
        OwnerNamespace ns = OwnerNamespace.of(owner, config.namespacePrefix());
        Map<String, String> selector = ownerSelector(ns);
        selector.put(keys.function(), function);
        try {
            Optional<Pod> newest = client.pods().inNamespace(ns.name()).withLabels(selector).list().getItems().stream()
                    .max(Comparator.comparing((Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), "")));
            return newest.map(p -> podLog(ns.name(), p.getMetadata().getName(), maxLines)).orElse(List.of());
        } catch (KubernetesClientException e) {
            LOG.warn("cannot list pods of {}/{}: {}", ns.name(), function, e.getMessage());
            return List.of();
        }
    }

    private List<String> podLog(String namespace, String pod, int maxLines) {
        try {
            String log = client.pods().inNamespace(namespace).withName(pod).inContainer(FunctionManifests.CONTAINER)
                    .tailingLines(maxLines).getLog();
            if (log == null || log.isEmpty()) {
                return List.of();
            }
            List<String> lines = List.of(log.split("\r?\n"));
            return lines.size() > maxLines ? lines.subList(lines.size() - maxLines, lines.size()) : lines;
        } catch (KubernetesClientException e) {
            LOG.warn("logs of {}/{} are not available: {}", namespace, pod, e.getMessage());
            return List.of();
        }
    }

    @Override
    public void close() {
        // the watches stop before the client closes under them
        cache.close();
        if (ownsClient) {
            client.close();
        }
    }

    private Map<String, String> ownerSelector(OwnerNamespace ns) {
        Map<String, String> selector = new TreeMap<>();
        selector.put(OurKeys.MANAGED_BY, OurKeys.MANAGER);
        selector.put(keys.owner(), ns.ownerLabel());
        return selector;
    }

    private static String annotation(HasMetadata object, String key) {
        return object.getMetadata().getAnnotations() == null ? null : object.getMetadata().getAnnotations().get(key);
    }

    private static Optional<String> imageOf(Deployment d) {
        return d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getSpec() == null
                ? Optional.empty()
                : d.getSpec().getTemplate().getSpec().getContainers().stream()
                        .filter(c -> FunctionManifests.CONTAINER.equals(c.getName())).map(c -> c.getImage()).findFirst();
    }

    private static long generation(Deployment written) {
        return written.getMetadata().getGeneration() == null ? 0L : written.getMetadata().getGeneration();
    }
}
