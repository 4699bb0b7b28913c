package dev.driftless.runtime.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.testsupport.Await;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leader election between two replicas, each with a client of its own, on the mock API server in CRUD
 * mode: the Lease decides, a clean shutdown hands over, a leader that dies is replaced once its Lease runs
 * out, and one cut off from the API server steps down before that.
 */
class LeaseLeadershipTest {
    /**
     * Short, so a takeover after a crash takes seconds, yet a renewal may stall for up to 3 s on a loaded machine;
     * with a wide margin between the renew deadline and the lease, as in client-go's defaults: a leader's last
     * renewal is stamped before its request is sent, and the first request of a new client takes a while here.
     */
    static final LeaseLeadership.Timing FAST =
            new LeaseLeadership.Timing(Duration.ofSeconds(6), Duration.ofSeconds(3), Duration.ofMillis(200));
    /**
     * A Lease that would outlast the test: a takeover within it comes from the release, not from expiry. Its
     * renew deadline is long too, so that a loaded CI machine stalling a renewal does not end a leadership.
     */
    private static final LeaseLeadership.Timing LONG_LEASE =
            new LeaseLeadership.Timing(Duration.ofSeconds(120), Duration.ofSeconds(20), Duration.ofMillis(200));

    private KubernetesMockServer server;
    private KubernetesClient observer;
    private final List<AutoCloseable> closers = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        observer = server.createClient();
    }

    @AfterEach
    void stopServer() throws Exception {
        for (int i = closers.size() - 1; i >= 0; i--) {
            closers.get(i).close();
        }
        observer.close();
        server.destroy();
    }

    private LeaseLeadership replica(String identity, LeaseLeadership.Timing timing, List<String> changes) {
        KubernetesClient client = server.createClient();
        closers.add(client);
        LeaseLeadership leadership = new LeaseLeadership(client, "driftless", identity, timing,
                leading -> changes.add(identity + (leading ? " acquired" : " lost")));
        closers.add(leadership);
        return leadership;
    }

    private Lease lease() {
        return observer.leases().inNamespace("driftless").withName(LeaseLeadership.LEASE).get();
    }

    @Test
    void oneOfTwoLeadsAndACleanShutdownHandsOverWithoutWaitingForTheLease() throws Exception {
        List<String> changes = new CopyOnWriteArrayList<>();
        LeaseLeadership a = replica("pod-a_1", LONG_LEASE, changes);
        LeaseLeadership b = replica("pod-b_2", LONG_LEASE, changes);
        a.start();
        b.start();
        Await.until("a leader", () -> a.isLeader() || b.isLeader());
        LeaseLeadership leader = a.isLeader() ? a : b;
        LeaseLeadership follower = leader == a ? b : a;
        assertEquals(leader.identity(), lease().getSpec().getHolderIdentity());
        // through several renewals (one every 200 ms) the other never leads
        for (int renewals = 0; renewals < 3; renewals++) {
            String before = String.valueOf(lease().getSpec().getRenewTime());
            Await.until("a renewal", () -> !String.valueOf(lease().getSpec().getRenewTime()).equals(before));
            assertTrue(leader.isLeader());
            assertFalse(follower.isLeader());
        }
        assertEquals(List.of(leader.identity() + " acquired"), changes);

        leader.close();
        assertFalse(leader.isLeader());
        // fabric8 releases by cutting the Lease to one second (a merge patch cannot clear the holder)
        assertEquals(1, lease().getSpec().getLeaseDurationSeconds(), () -> "released: " + lease().getSpec());
        Await.until("the other replica leads", follower::isLeader);
        assertEquals(follower.identity(), lease().getSpec().getHolderIdentity());
        assertEquals(1, lease().getSpec().getLeaseTransitions());
        assertEquals(List.of(leader.identity() + " acquired", leader.identity() + " lost", follower.identity() + " acquired"),
                changes);
    }

    @Test
    void aLeaderThatDiesIsReplacedOnceItsLeaseRunsOut() throws Exception {
        List<String> changes = new CopyOnWriteArrayList<>();
        AtomicBoolean cut = new AtomicBoolean();
        LeaseLeadership dying = new LeaseLeadership(cuttable(cut), "driftless", "pod-a_1", FAST, leading -> { });
        closers.add(dying);
        dying.start();
        Await.until("the first replica leads", dying::isLeader);
        LeaseLeadership survivor = replica("pod-b_2", FAST, changes);
        survivor.start();

        // the process dies: its connection is gone before it can release anything, and it never comes back
        cut.set(true);
        dying.close();
        Lease dead = lease();
        assertEquals("pod-a_1", dead.getSpec().getHolderIdentity(), "a dead leader releases nothing");
        assertEquals((int) FAST.leaseDuration().toSeconds(), dead.getSpec().getLeaseDurationSeconds());

        Await.until("the survivor takes over", survivor::isLeader);
        Lease taken = lease();
        assertEquals("pod-b_2", taken.getSpec().getHolderIdentity());
        assertEquals(1, taken.getSpec().getLeaseTransitions());
        assertFalse(taken.getSpec().getAcquireTime().isBefore(dead.getSpec().getRenewTime().plus(FAST.leaseDuration())),
                () -> "taken over at " + taken.getSpec().getAcquireTime() + " before the Lease renewed at "
                        + dead.getSpec().getRenewTime() + " ran out");
        assertEquals(List.of("pod-b_2 acquired"), changes);
    }

    @Test
    void aLeaderCutOffFromTheApiServerStepsDownBeforeAnotherMayTakeOver() throws Exception {
        List<String> changes = new CopyOnWriteArrayList<>();
        AtomicBoolean cut = new AtomicBoolean();
        LeaseLeadership isolated = new LeaseLeadership(cuttable(cut), "driftless", "pod-a_1", FAST,
                leading -> changes.add("pod-a_1" + (leading ? " acquired" : " lost")));
        closers.add(isolated);
        isolated.start();
        Await.until("the first replica leads", isolated::isLeader);
        LeaseLeadership other = replica("pod-b_2", FAST, changes);
        other.start();

        cut.set(true);
        Await.until("the other replica leads", other::isLeader);
        assertFalse(isolated.isLeader());
        assertEquals(List.of("pod-a_1 acquired", "pod-a_1 lost", "pod-b_2 acquired"), changes,
                "the isolated leader stepped down (renew deadline) before its Lease ran out for the other");

        cut.set(false);
        // it stands again, as a follower
        String before = String.valueOf(lease().getSpec().getRenewTime());
        Await.until("a renewal by the new leader", () -> !String.valueOf(lease().getSpec().getRenewTime()).equals(before));
        assertFalse(isolated.isLeader());
        assertEquals("pod-b_2", lease().getSpec().getHolderIdentity());
    }

    /** A client whose every request fails while {@code cut} is set, as when the network to the API server is gone. */
    private KubernetesClient cuttable(AtomicBoolean cut) {
        KubernetesClient client = server.createClient(builder -> builder.withHttpClientBuilderConsumer(http ->
                http.addOrReplaceInterceptor("cut", new Interceptor() {
                    @Override
                    public void before(BasicBuilder b, HttpRequest request, RequestTags tags) {
                        if (cut.get()) {
                            throw new KubernetesClientException("network unreachable");
                        }
                    }
                })));
        closers.add(client);
        return client;
    }

    @Test
    void theNamespaceIsThePodsOwnOrTheDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("namespace");
        assertEquals("driftless", LeaseLeadership.ownNamespace(file));
        Files.writeString(file, "ops\n");
        assertEquals("ops", LeaseLeadership.ownNamespace(file));
        Files.writeString(file, "  ");
        assertEquals("driftless", LeaseLeadership.ownNamespace(file));
    }

    @Test
    void timingsMustLetTheLeaderStepDownBeforeOthersMayTakeOver() {
        LeaseLeadership.Timing standard = LeaseLeadership.Timing.standard();
        assertEquals(Duration.ofSeconds(15), standard.leaseDuration());
        assertThrows(IllegalArgumentException.class,
                () -> new LeaseLeadership.Timing(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class,
                () -> new LeaseLeadership.Timing(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class, () -> new LeaseLeadership.Timing(Duration.ofMillis(1500),
                Duration.ofSeconds(1), Duration.ofMillis(100)), "the Lease records whole seconds");
    }
}
