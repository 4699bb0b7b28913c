package dev.driftless.reconciler;

import dev.driftless.testsupport.Await;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.queue.JobKind;
import dev.driftless.reconciler.queue.JobResult;
import dev.driftless.reconciler.queue.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon in-process on a real port and a real H2 file: ops endpoints, webhook intake to a job run, metrics. */
class DaemonTest {
    private static final String SECRET = "It's a Secret to Everybody";

    @TempDir
    Path dir;
    Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private DriftlessConfig config(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_GITHUB_WEBHOOK_SECRET", SECRET,
                "DRIFTLESS_WORKERS", "1"));
        env.putAll(extra);
        return new ConfigLoader(env).load(Optional.empty());
    }

    @Test
    void healthReadinessAndMetricsAnswerWithoutSecrets() throws Exception {
        daemon = Daemon.start(config(Map.of("DRIFTLESS_DB_PASSWORD", "hunter2-db")), List.of());
        int port = daemon.httpPort();
        assertEquals(200, Webhooks.get(port, "/healthz").statusCode());
        HttpResponse<String> ready = Webhooks.get(port, "/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        HttpResponse<String> metrics = Webhooks.get(port, "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        for (String name : new String[] {"driftless_jobs{state=\"queued\"} 0.0", "jvm_memory_used_bytes",
                "jvm_threads_current"}) {
            assertTrue(metrics.body().contains(name), name);
        }
        assertFalse(metrics.body().contains("hunter2"));
        assertFalse(metrics.body().contains(SECRET));
        assertEquals(404, Webhooks.get(port, "/nope").statusCode());
    }

    @Test
    void aSignedPushIsStoredQueuedAndRunByTheRegisteredHandler() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        DaemonModule module = context -> context.jobs().register(JobKind.RECONCILE, job -> {
            ran.add(job.key() + "@" + job.headSha().orElseThrow() + " on " + Thread.currentThread().getName());
            return new JobResult.Succeeded("ok");
        });
        daemon = Daemon.start(config(Map.of()), List.of(module));
        int port = daemon.httpPort();
        String body = Webhooks.push("alice", "fns", "main", "b".repeat(40));
        assertEquals(202, Webhooks.send(port, SECRET, "push", "d-1", body).statusCode());
        assertEquals(200, Webhooks.send(port, SECRET, "push", "d-1", body).statusCode(), "redelivery");
        assertEquals(401, Webhooks.send(port, "wrong secret", "push", "d-2", body).statusCode());
        Await.until("the job to run", () -> !ran.isEmpty());
        assertEquals(1, ran.size(), ran.toString());
        assertTrue(ran.get(0).startsWith("reconcile:alice/fns@main@" + "b".repeat(40) + " on driftless-job-"), ran.get(0));
        Await.until("the job to be recorded as succeeded", () -> {
            try {
                return daemon.context().queue().depthByState().get(JobState.SUCCEEDED) > 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String metrics = Webhooks.get(port, "/metrics").body();
        assertTrue(metrics.contains("driftless_webhook_deliveries_total{event=\"push\",outcome=\"queued\"} 1.0"), metrics);
        assertTrue(metrics.contains("driftless_webhook_deliveries_total{event=\"push\",outcome=\"duplicate\"} 1.0"));
        assertTrue(metrics.contains("driftless_webhook_requests_total{event=\"push\",outcome=\"signature_invalid\"} 1.0"));
        assertTrue(metrics.contains("driftless_jobs{state=\"succeeded\"} 1.0"), metrics);
        assertTrue(metrics.contains("driftless_job_duration_seconds_count{kind=\"reconcile\",result=\"succeeded\"} 1"));
    }

    @Test
    void withoutAWebhookSecretTheRouteRefuses() throws Exception {
        Map<String, String> env = Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(), "DRIFTLESS_HTTP_PORT", "0");
        daemon = Daemon.start(new ConfigLoader(env).load(Optional.empty()), List.of());
        HttpResponse<String> answer = Webhooks.send(daemon.httpPort(), "anything", "push", "d-1",
                Webhooks.push("alice", "fns", "main", "c".repeat(40)));
        assertEquals(503, answer.statusCode());
        assertEquals(0L, daemon.context().queue().depthByState().get(JobState.QUEUED));
    }

    @Test
    void aDeliverySignedWithThePreviousSecretIsAcceptedDuringARotationAndRefusedAfter() throws Exception {
        String previous = "the secret being rotated out";
        daemon = Daemon.start(config(Map.of("DRIFTLESS_GITHUB_WEBHOOK_SECRET_PREVIOUS", previous)), List.of());
        String first = Webhooks.push("alice", "fns", "main", "d".repeat(40));
        assertEquals(202, Webhooks.send(daemon.httpPort(), previous, "push", "rotation-1", first).statusCode(),
                "during the rotation, GitHub may still sign with the old secret");
        assertEquals(202, Webhooks.send(daemon.httpPort(), SECRET, "push", "rotation-2",
                Webhooks.push("alice", "fns", "main", "e".repeat(40))).statusCode(), "and with the new one");
        daemon.close();

        // The rotation is over: DRIFTLESS_GITHUB_WEBHOOK_SECRET_PREVIOUS is unset and the daemon restarted.
        daemon = Daemon.start(config(Map.of()), List.of());
        String late = Webhooks.push("alice", "fns", "main", "f".repeat(40));
        HttpResponse<String> refused = Webhooks.send(daemon.httpPort(), previous, "push", "rotation-3", late);
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("signature_invalid"), refused.body());
        assertEquals(202, Webhooks.send(daemon.httpPort(), SECRET, "push", "rotation-4", late).statusCode());
    }
}
