package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.Leadership;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Leader election between the daemon's replicas through the Lease {@value #LEASE} in the daemon's own
 * namespace, with fabric8's {@code LeaderElector}: the holder renews it every retry period; when it stops
 * renewing (it crashed, or lost the API server for longer than the renew deadline) another replica takes it
 * once the lease duration has passed. A clean {@link #close} releases the Lease (fabric8 cuts it to one
 * second), so a rolling update hands over within a few seconds instead of one lease duration.
 *
 * <p>fabric8's client blocks: the elector runs on a thread of its own, never a Vert.x event loop. Its
 * elector is single-use (it stops after losing the Lease), so a replica that lost it stands again with a
 * new one until closed.
 *
 * <p>The gap between renew deadline and lease duration covers request latency. A renewal that hangs longer
 * (up to the client's request timeout) can leave two replicas leading for a few seconds: what runs on the
 * leader must tolerate that, as the resync does (its jobs coalesce per repository).
 */
public final class LeaseLeadership implements Leadership, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseLeadership.class);

    /** The Lease's name; {@code manifests/base/rbac.yaml} grants get and patch on this name only. */
    public static final String LEASE = "driftless-leader";
    /** The namespace when not running in a pod: the one the manifests install into. */
    static final String DEFAULT_NAMESPACE = KubernetesRuntimeConfig.DEFAULT_NAMESPACE;

    /**
     * How long a Lease lasts without renewal, how long the holder keeps retrying a failed renewal before it
     * steps down (shorter, so it steps down before anyone else may take over), and how often it renews or
     * a follower tries. The Lease records its duration in whole seconds.
     */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public Timing {
            if (retryPeriod.isNegative() || retryPeriod.isZero() || renewDeadline.compareTo(retryPeriod) <= 0
                    || leaseDuration.compareTo(renewDeadline) <= 0) {
                throw new IllegalArgumentException("need 0 < retryPeriod < renewDeadline < leaseDuration, not "
                        + retryPeriod + ", " + renewDeadline + ", " + leaseDuration);
            }
            if (leaseDuration.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("the Lease records whole seconds: " + leaseDuration);
            }
        }

        /** client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry period. */
        public static Timing standard() {
            return new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
        }
    }

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String namespace;
    private final String identity;
    private final Timing timing;
    private final Consumer<Boolean> onChange;
    private final ScheduledExecutorService elections;
    private final AtomicBoolean leader = new AtomicBoolean();
    private CompletableFuture<?> election; // guarded by this
    private boolean closed; // guarded by this

    /**
     * Stands for the Lease in {@code namespace} as {@code identity} after {@link #start}; {@code onChange}
     * hears {@code true} when this replica becomes the leader and {@code false} when it stops being one.
     * Uses {@code client}; the caller closes it.
     */
    public LeaseLeadership(KubernetesClient client, String namespace, String identity, Timing timing,
                           Consumer<Boolean> onChange) {
        this(client, false, namespace, identity, timing, onChange);
    }

    private LeaseLeadership(KubernetesClient client, boolean ownsClient, String namespace, String identity,
                            Timing timing, Consumer<Boolean> onChange) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.timing = Objects.requireNonNull(timing, "timing");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.elections = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "driftless-leader-election");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Leadership in the pod's namespace (or {@value #DEFAULT_NAMESPACE} outside a pod) as the pod's name
     * plus a random suffix (a restarted pod keeps its name but must not inherit its predecessor's Lease),
     * with a client of its own configured the usual way, so the Lease can still be released after the
     * runtime's client closed. Not started yet.
     */
    public static LeaseLeadership connect() {
        String pod = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("driftless");
        return new LeaseLeadership(new KubernetesClientBuilder().build(), true, KubernetesRuntimeConfig.ownNamespace(),
                pod + "_" + UUID.randomUUID(), Timing.standard(), change -> { });
    }

    /** The namespace in the service account's {@code namespace} file, or {@value #DEFAULT_NAMESPACE}. */
    static String ownNamespace(Path serviceAccountNamespace) {
        return KubernetesRuntimeConfig.ownNamespace(serviceAccountNamespace);
    }

    /** Starts standing for the Lease in the background; returns at once. A second call does nothing. */
    public synchronized void start() {
        if (election == null && !closed) {
            LOG.info("event=leader.standing identity={} lease={}/{}", identity, namespace, LEASE);
            stand();
        }
    }

    @Override
    public boolean isLeader() {
        return leader.get();
    }

    public String identity() {
        return identity;
    }

    private synchronized void stand() {
        if (closed) {
            return;
        }
        CompletableFuture<?> running = new LeaderElectorBuilder(client, elections)
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName("driftless")
                        .withLock(new LeaseLock(namespace, LEASE, identity))
                        .withLeaseDuration(timing.leaseDuration())
                        .withRenewDeadline(timing.renewDeadline())
                        .withRetryPeriod(timing.retryPeriod())
                        .withReleaseOnCancel()
                        // run while the elector holds its own lock: they take none of ours
                        .withLeaderCallbacks(new LeaderCallbacks(this::acquired, this::lost, this::observed))
                        .build())
                .build()
                .start();
        election = running;
        running.whenComplete((done, failure) -> standAgain());
    }

    /** The elector ended without being closed: it lost the Lease. Stand again after one retry period. */
    private synchronized void standAgain() {
        if (closed) {
            return;
        }
        try {
            elections.schedule(this::stand, timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void acquired() {
        if (leader.compareAndSet(false, true)) {
            LOG.info("event=leader.acquired identity={} lease={}/{}", identity, namespace, LEASE);
            onChange.accept(true);
        }
    }

    private void lost() {
        if (leader.compareAndSet(true, false)) {
            LOG.info("event=leader.lost identity={} lease={}/{}", identity, namespace, LEASE);
            onChange.accept(false);
        }
    }

    private void observed(String holder) {
        LOG.debug("event=leader.observed identity={} leader={}", identity, holder == null ? "none" : holder);
    }

    /** Stops standing; releases the Lease when this replica holds it (blocks for that one request). */
    @Override
    public void close() {
        CompletableFuture<?> running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = election;
        }
        if (running != null) {
            running.cancel(true); // fabric8 releases the Lease on this thread, then calls lost()
        }
        lost(); // in case the release failed before fabric8 said so: a closed elector leads nothing
        elections.shutdownNow();
        try {
            elections.awaitTermination(timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
