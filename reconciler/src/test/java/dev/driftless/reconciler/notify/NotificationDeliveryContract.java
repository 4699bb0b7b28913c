package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.reconcile.ReconcileEvent;
import dev.driftless.reconciler.secrets.SecretKeyRing;
import dev.driftless.reconciler.secrets.SecretStore;
import dev.driftless.reconciler.store.Database;
import dev.driftless.webhook.WebhookVerifier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The notification outbox against a real store and a real HTTP receiver: events recorded in a transaction are
 * delivered exactly once each (as the receiver accepts them) across failures, a hanging receiver, a sender that
 * stops mid-delivery and one that dies holding its lease; always under the same delivery id and signature; and
 * two senders on one store (replicas) never send a row twice.
 */
abstract class NotificationDeliveryContract {
    static final String SECRET = "It's a Secret to Everybody";

    @TempDir
    Path dir;

    private Database db;
    private NotificationSettings settings;
    private NotificationOutbox outbox;
    private Receiver receiver;
    private final List<NotificationSender> senders = new ArrayList<>();

    abstract Database open();

    @BeforeEach
    void setUp() throws Exception {
        db = open();
        SecretStore secrets = new SecretStore(db, SecretKeyRing.loadOrCreate(dir.resolve("ring")), Clock.systemUTC());
        settings = new NotificationSettings(db, secrets, Optional.empty(), Optional.empty(), Clock.systemUTC());
        outbox = new NotificationOutbox(settings, Clock.systemUTC(), () -> senders.forEach(NotificationSender::wakeUp));
        receiver = new Receiver(Receiver.Mode.FAIL);
        new NotificationChanges(db, settings, new AuditLog(db, Clock.systemUTC())).set("alice", "alice",
                NotificationTarget.url(receiver.url()), NotificationFormat.JSON, Set.of(),
                new NotificationSettings.SecretChange.Set(SECRET));
    }

    @AfterEach
    void tearDown() {
        senders.forEach(s -> s.stop(Duration.ofSeconds(1)));
        receiver.close();
        db.close();
    }

    private NotificationSender sender(Duration lease) {
        NotificationSender sender = new NotificationSender(db, settings, Clock.systemUTC(), Duration.ofSeconds(1), lease,
                Duration.ofMillis(50), Duration.ofMillis(200), 100, Duration.ofMillis(50), 4);
        senders.add(sender);
        sender.start();
        return sender;
    }

    private void record(int builds) throws Exception {
        db.inTransaction(tx -> {
            for (int i = 1; i <= builds; i++) {
                outbox.record(tx, new ReconcileEvent(ReconcileEvent.Type.BUILD_FAILED, "alice", "fns", Optional.empty(),
                        Optional.of("0123456789abcdef0123456789abcdef01234567"), Optional.of((long) i),
                        "build " + i + " failed", Optional.of("https://localhost/dashboard/alice/builds/" + i),
                        Instant.now()));
            }
            return null;
        });
    }

    @Test
    void everyEventIsAcceptedOnceAcrossFailuresAHangAndARestart() throws Exception {
        record(3);
        NotificationSender first = sender(Duration.ofSeconds(30));
        // One target: its events go out in order, so the first one is retried while the others wait behind it.
        await("the first event to fail twice", () -> perDelivery(receiver.requests()).values().stream()
                .anyMatch(n -> n >= 2));
        assertEquals(1, perDelivery(receiver.requests()).size(), "later events wait for the first: in order");
        receiver.mode(Receiver.Mode.HANG);
        int before = receiver.requests().size();
        await("a request to hang", () -> receiver.requests().size() > before);
        first.stop(Duration.ofMillis(200)); // stopped mid-delivery: the hanging request is abandoned, its row given back
        receiver.mode(Receiver.Mode.ACCEPT);
        NotificationSender restarted = sender(Duration.ofSeconds(30));
        await("every event to be accepted", () -> receiver.accepted().size() >= 3);
        long passes = restarted.passes();
        await("more passes of the sender", () -> restarted.passes() >= passes + 5);

        List<Receiver.Request> accepted = receiver.accepted();
        assertEquals(3, accepted.size(), "each event accepted exactly once: " + accepted);
        assertEquals(3, accepted.stream().map(Receiver.Request::delivery).distinct().count());
        WebhookVerifier verifier = new WebhookVerifier(SECRET);
        Map<String, Set<String>> bodiesById = new java.util.HashMap<>();
        for (Receiver.Request r : receiver.requests()) {
            assertEquals("build.failed", r.event());
            assertEquals("application/json", r.contentType());
            assertNotNull(r.signature(), "signed");
            assertTrue(verifier.verify(r.body().getBytes(StandardCharsets.UTF_8), r.signature()), "signature verifies");
            assertEquals(r.delivery(), new JsonObject(r.body()).getString("delivery"), "the header names the body's id");
            bodiesById.computeIfAbsent(r.delivery(), k -> new HashSet<>()).add(r.body());
        }
        assertEquals(3, bodiesById.size(), "retries carry the same delivery id: " + bodiesById.keySet());
        assertTrue(bodiesById.values().stream().allMatch(b -> b.size() == 1), "every attempt sends the same bytes");
        assertEquals(List.of(1L, 2L, 3L), accepted.stream().map(r -> new JsonObject(r.body()).getLong("build"))
                .toList(), "accepted in the order recorded");
        assertEquals(List.of("delivered", "delivered", "delivered"), outcomes());
    }

    @Test
    void aSenderThatDiesHoldingItsLeaseIsTakenOverWhenTheLeaseEnds() throws Exception {
        record(2);
        receiver.mode(Receiver.Mode.ACCEPT);
        // A sender that claimed the first row (the second waits behind it) and was killed: its lease is never
        // renewed nor given back.
        NotificationQueue dead = new NotificationQueue(db);
        assertEquals(1, dead.claim("killed-replica", 10, Instant.now(), Duration.ofSeconds(2)).size());
        NotificationSender survivor = sender(Duration.ofSeconds(30));
        long passes = survivor.passes();
        await("passes while the lease holds", () -> survivor.passes() >= passes + 3);
        assertTrue(receiver.requests().isEmpty(), "nothing sent while another holds the lease");
        await("the rows to be delivered after the lease", () -> receiver.accepted().size() >= 2);
        long after = survivor.passes();
        await("more passes", () -> survivor.passes() >= after + 5);
        assertEquals(2, receiver.requests().size());
        long firstId = db.inTransaction(tx -> {
            try (var q = tx.prepareStatement("SELECT MIN(id) FROM notification_outbox"); var rows = q.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
        assertFalse(dead.finish(firstId, "killed-replica", "failed", 500, "late", Instant.now()),
                "the dead sender's late answer cannot overwrite anything");
        assertEquals(List.of("delivered", "delivered"), outcomes());
    }

    @Test
    void twoReplicasNeverSendARowTwice() throws Exception {
        receiver.mode(Receiver.Mode.ACCEPT);
        sender(Duration.ofSeconds(30));
        sender(Duration.ofSeconds(30));
        record(25);
        await("25 deliveries", () -> receiver.accepted().size() >= 25);
        long passes = senders.get(0).passes();
        await("more passes", () -> senders.get(0).passes() >= passes + 5);
        assertEquals(25, receiver.requests().size(), "no row sent twice");
        assertEquals(25, receiver.requests().stream().map(Receiver.Request::delivery).distinct().count());
    }

    @Test
    void aRefusalIsFinalAndASlackTargetIsNotSigned() throws Exception {
        receiver.mode(Receiver.Mode.ACCEPT);
        new NotificationChanges(db, settings, new AuditLog(db, Clock.systemUTC())).set("alice", "alice",
                NotificationTarget.url(receiver.url()), NotificationFormat.SLACK,
                Set.of(ReconcileEvent.Type.BUILD_FAILED), new NotificationSettings.SecretChange.Keep());
        record(1);
        sender(Duration.ofSeconds(30));
        await("the Slack message", () -> receiver.accepted().size() >= 1);
        Receiver.Request slack = receiver.accepted().get(0);
        assertEquals(null, slack.signature(), "Slack messages carry no signature");
        assertTrue(new JsonObject(slack.body()).containsKey("blocks"));
        assertFalse(settings.ownerTarget("alice").orElseThrow().secretSet(), "switching to slack drops the secret");
    }

    private List<String> outcomes() throws Exception {
        return db.inTransaction(tx -> {
            List<String> out = new ArrayList<>();
            try (var q = tx.prepareStatement("SELECT outcome FROM notification_outbox ORDER BY id");
                 var rows = q.executeQuery()) {
                while (rows.next()) {
                    out.add(rows.getString(1));
                }
            }
            return out;
        });
    }

    private static Map<String, Long> perDelivery(List<Receiver.Request> requests) {
        return requests.stream().collect(Collectors.groupingBy(Receiver.Request::delivery, Collectors.counting()));
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
