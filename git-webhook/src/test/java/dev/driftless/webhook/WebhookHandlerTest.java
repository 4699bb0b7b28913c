package dev.driftless.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook route on a real Vert.x HTTP server, called over loopback with the Vert.x web client. */
class WebhookHandlerTest {
    private static final String SECRET = "test-secret-not-for-production";
    private static final int SMALL_LIMIT = 64 * 1024;
    private static final WebhookVerifier SIGNER = new WebhookVerifier(SECRET);
    private static final String PREVIOUS_SECRET = "the-secret-being-rotated-out";
    private static final java.util.concurrent.atomic.AtomicReference<WebhookSecrets> rotation = new java.util.concurrent.atomic.AtomicReference<>();

    private static Vertx vertx;
    private static WorkerExecutor worker;
    private static HttpServer server;
    private static WebClient client;
    private static int port;
    private static final RecordingSink sink = new RecordingSink();
    private static final List<String> outcomes = new CopyOnWriteArrayList<>();
    private static final java.util.concurrent.CountDownLatch slowSinkEntered = new java.util.concurrent.CountDownLatch(1);
    private static final java.util.concurrent.CountDownLatch slowSinkRelease = new java.util.concurrent.CountDownLatch(1);

    /** Stands in for the store: remembers delivery ids, can be told to fail. */
    static final class RecordingSink implements DeliverySink {
        final List<Delivery> accepted = new CopyOnWriteArrayList<>();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final Map<String, String> threads = new ConcurrentHashMap<>();
        volatile boolean failing;

        @Override
        public Result accept(Delivery delivery) throws Exception {
            threads.put(delivery.id(), Thread.currentThread().getName());
            if (failing) {
                throw new java.sql.SQLException("the database is down");
            }
            if (!seen.add(delivery.id())) {
                return Result.DUPLICATE;
            }
            accepted.add(delivery);
            return Result.RECORDED;
        }
    }

    /** Stands in for a group-commit store: holds each delivery's stage until the test completes it. */
    static final class HeldSink implements AsyncDeliverySink {
        final java.util.concurrent.BlockingQueue<java.util.concurrent.CompletableFuture<Result>> held =
                new java.util.concurrent.LinkedBlockingQueue<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<Result> submit(Delivery delivery) {
            threads.add(Thread.currentThread().getName());
            java.util.concurrent.CompletableFuture<Result> result = new java.util.concurrent.CompletableFuture<>();
            held.add(result);
            return result;
        }
    }

    private static final HeldSink heldSink = new HeldSink();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        worker = vertx.createSharedWorkerExecutor("test-webhook-worker", 2);
        Router router = Router.router(vertx);
        router.post("/webhooks/github").handler(WebhookHandler.builder()
                .secret(SECRET).sink(sink).worker(worker).outcomes((event, outcome) -> outcomes.add(event + ":" + outcome)).build());
        router.post("/small").handler(WebhookHandler.builder()
                .secret(SECRET).sink(sink).worker(worker).maxBodyBytes(SMALL_LIMIT).build());
        router.post("/slow").handler(WebhookHandler.builder()
                .secret(SECRET).sink(delivery -> {
                    slowSinkEntered.countDown();
                    if (!slowSinkRelease.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("test never released the sink");
                    }
                    return DeliverySink.Result.RECORDED;
                }).worker(worker).maxInFlight(1).build());
        router.post("/rotating").handler(WebhookHandler.builder().secrets(rotation::get).sink(sink).worker(worker).build());
        router.post("/async").handler(WebhookHandler.builder().secret(SECRET).sink(heldSink).worker(worker).build());
        router.post("/no-secret").handler(WebhookHandler.builder().secret(null).sink(sink).worker(worker).build());
        server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
        port = server.actualPort();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        await(server.close());
        await(worker.close());
        await(vertx.close());
    }

    @BeforeEach
    void reset() {
        sink.accepted.clear();
        sink.failing = false;
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static byte[] pushBody() {
        return GitHubEventParserTest.push("refs/heads/main").encode().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpRequest<Buffer> post(String path, String event, String delivery, String signature) {
        HttpRequest<Buffer> request = client.post(port, "127.0.0.1", path).putHeader("Content-Type", "application/json");
        if (event != null) {
            request.putHeader("X-GitHub-Event", event);
        }
        if (delivery != null) {
            request.putHeader("X-GitHub-Delivery", delivery);
        }
        if (signature != null) {
            request.putHeader("X-Hub-Signature-256", signature);
        }
        return request;
    }

    private static HttpResponse<Buffer> send(String event, byte[] body) throws Exception {
        return await(post("/webhooks/github", event, UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body)));
    }

    private static void assertError(HttpResponse<Buffer> response, int status, String error) {
        assertEquals(status, response.statusCode(), response.bodyAsString());
        assertTrue(response.getHeader("Content-Type").startsWith("application/json"));
        JsonObject body = response.bodyAsJsonObject();
        assertEquals(error, body.getString("error"), body.encode());
        assertTrue(body.getString("message").length() > 10, body.encode());
    }

    @Test
    void anAsyncSinkIsAnsweredOnlyAfterItsCommitAndAFailedCommitIs503ForEveryDeliveryInIt() throws Exception {
        byte[] body = pushBody();
        List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            responses.add(post("/async", "push", "async-" + i, SIGNER.sign(body)).sendBuffer(Buffer.buffer(body)));
        }
        List<java.util.concurrent.CompletableFuture<DeliverySink.Result>> stages = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stages.add(java.util.Objects.requireNonNull(heldSink.held.poll(30, TimeUnit.SECONDS), "delivery never submitted"));
        }
        assertTrue(responses.stream().noneMatch(Future::isComplete), "answered before the commit");
        assertTrue(heldSink.threads.stream().allMatch(t -> t.startsWith("vert.x-eventloop")), heldSink.threads.toString());
        // One batch commits (a new delivery and a redelivery), the next one fails as a whole.
        stages.get(0).complete(DeliverySink.Result.RECORDED);
        stages.get(1).complete(DeliverySink.Result.DUPLICATE);
        java.sql.SQLException down = new java.sql.SQLException("commit failed");
        stages.get(2).completeExceptionally(down);
        stages.get(3).completeExceptionally(down);
        List<Integer> statuses = new ArrayList<>();
        for (Future<HttpResponse<Buffer>> response : responses) {
            statuses.add(await(response).statusCode());
        }
        assertEquals(List.of(202, 200, 503, 503), statuses);
        assertError(await(responses.get(3)), 503, "not_recorded");
    }

    @Test
    void signedPushIsRecordedOnAWorkerAndAnswered202() throws Exception {
        byte[] body = pushBody();
        String id = UUID.randomUUID().toString();
        HttpResponse<Buffer> response = await(post("/webhooks/github", "push", id, SIGNER.sign(body)).sendBuffer(Buffer.buffer(body)));
        assertEquals(202, response.statusCode(), response.bodyAsString());
        assertEquals("recorded", response.bodyAsJsonObject().getString("status"));
        assertEquals(1, sink.accepted.size());
        Delivery delivery = sink.accepted.get(0);
        assertEquals(id, delivery.id());
        assertEquals("push", delivery.eventName());
        GitHubEvent.Push push = assertInstanceOf(GitHubEvent.Push.class, delivery.event());
        assertEquals("alice/fns", push.repository().fullName());
        assertEquals("6113728f27ae82c7b1a177c8d03f9e96e0adf246", push.after());
        assertTrue(sink.threads.get(id).startsWith("test-webhook-worker"), sink.threads.get(id));
        assertTrue(outcomes.contains("push:recorded"), outcomes.toString());
    }

    @Test
    void redeliveryIsAnswered200AndQueuesNothingNew() throws Exception {
        byte[] body = pushBody();
        String id = UUID.randomUUID().toString();
        assertEquals(202, await(post("/webhooks/github", "push", id, SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))).statusCode());
        HttpResponse<Buffer> again = await(post("/webhooks/github", "push", id, SIGNER.sign(body)).sendBuffer(Buffer.buffer(body)));
        assertEquals(200, again.statusCode(), again.bodyAsString());
        assertEquals("duplicate", again.bodyAsJsonObject().getString("status"));
        assertEquals(1, sink.accepted.size());
    }

    @Test
    void installationEventsReachTheSink() throws Exception {
        JsonObject installation = new JsonObject().put("action", "created")
                .put("installation", new JsonObject().put("id", 957387).put("account", new JsonObject().put("login", "alice").put("type", "User")))
                .put("repositories", new io.vertx.core.json.JsonArray().add(new JsonObject().put("id", 1).put("name", "fns").put("full_name", "alice/fns").put("private", false)));
        assertEquals(202, send("installation", installation.toBuffer().getBytes()).statusCode());
        GitHubEvent.Installation event = assertInstanceOf(GitHubEvent.Installation.class, sink.accepted.get(0).event());
        assertEquals(957387L, event.installationId());
        assertEquals("alice/fns", event.repositories().get(0).fullName());
    }

    @Test
    void tamperedBodyIs401AndNothingIsStored() throws Exception {
        byte[] body = pushBody();
        String signature = SIGNER.sign(body);
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("alice", "mallory").getBytes(StandardCharsets.UTF_8);
        assertError(await(post("/webhooks/github", "push", UUID.randomUUID().toString(), signature).sendBuffer(Buffer.buffer(tampered))),
                401, "signature_invalid");
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void tamperedSignatureIs401() throws Exception {
        byte[] body = pushBody();
        String signature = SIGNER.sign(body);
        String tampered = signature.substring(0, signature.length() - 2) + (signature.endsWith("00") ? "11" : "00");
        assertError(await(post("/webhooks/github", "push", UUID.randomUUID().toString(), tampered).sendBuffer(Buffer.buffer(body))),
                401, "signature_invalid");
        assertError(await(post("/webhooks/github", "push", UUID.randomUUID().toString(), new WebhookVerifier("other").sign(body))
                .sendBuffer(Buffer.buffer(body))), 401, "signature_invalid");
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void missingHeadersAreRefused() throws Exception {
        byte[] body = pushBody();
        assertError(await(post("/webhooks/github", "push", UUID.randomUUID().toString(), null).sendBuffer(Buffer.buffer(body))),
                401, "signature_missing");
        assertError(await(post("/webhooks/github", null, UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))),
                400, "bad_request");
        assertError(await(post("/webhooks/github", "push", null, SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))),
                400, "bad_request");
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void aDeliverySignedWithThePreviousSecretIsAcceptedDuringARotationAndRefusedAfter() throws Exception {
        byte[] body = pushBody();
        String signedWithPrevious = new WebhookVerifier(PREVIOUS_SECRET).sign(body);
        rotation.set(WebhookSecrets.of(SECRET, PREVIOUS_SECRET)); // DRIFTLESS_GITHUB_WEBHOOK_SECRET + _PREVIOUS
        assertEquals(202, await(post("/rotating", "push", "rotation-old-1", signedWithPrevious).sendBuffer(Buffer.buffer(body))).statusCode());
        assertEquals(202, await(post("/rotating", "push", "rotation-new-1", SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))).statusCode());
        assertError(await(post("/rotating", "push", "rotation-other-1", new WebhookVerifier("neither").sign(body))
                .sendBuffer(Buffer.buffer(body))), 401, "signature_invalid");

        rotation.set(WebhookSecrets.of(SECRET, null)); // _PREVIOUS unset: the rotation is over
        assertError(await(post("/rotating", "push", "rotation-old-2", signedWithPrevious).sendBuffer(Buffer.buffer(body))),
                401, "signature_invalid");
        assertEquals(202, await(post("/rotating", "push", "rotation-new-2", SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))).statusCode());
        assertEquals(List.of("rotation-old-1", "rotation-new-1", "rotation-new-2"), sink.accepted.stream().map(Delivery::id).toList());
    }

    @Test
    void withoutASecretEverythingIs503() throws Exception {
        byte[] body = pushBody();
        HttpResponse<Buffer> response = await(post("/no-secret", "push", UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body)));
        assertError(response, 503, "webhook_secret_missing");
        assertTrue(response.bodyAsJsonObject().getString("message").contains("DRIFTLESS_GITHUB_WEBHOOK_SECRET"));
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void wrongContentTypeIs415AndFormEncodingSaysWhatToChange() throws Exception {
        byte[] body = pushBody();
        HttpResponse<Buffer> text = await(post("/webhooks/github", "push", UUID.randomUUID().toString(), SIGNER.sign(body))
                .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer(body)));
        assertError(text, 415, "unsupported_media_type");

        byte[] form = ("payload=" + java.net.URLEncoder.encode(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<Buffer> formEncoded = await(post("/webhooks/github", "push", UUID.randomUUID().toString(), SIGNER.sign(form))
                .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer(form)));
        assertError(formEncoded, 415, "unsupported_media_type");
        assertTrue(formEncoded.bodyAsJsonObject().getString("message").contains("content type to application/json"),
                formEncoded.bodyAsString());
        assertEquals(0, sink.accepted.size());

        // Parameters such as charset are fine.
        assertEquals(202, await(post("/webhooks/github", "push", UUID.randomUUID().toString(), SIGNER.sign(body))
                .putHeader("Content-Type", "application/json; charset=utf-8").sendBuffer(Buffer.buffer(body))).statusCode());
    }

    @Test
    void oversizedBodyWithContentLengthIs413() throws Exception {
        byte[] body = new byte[SMALL_LIMIT * 4];
        java.util.Arrays.fill(body, (byte) ' ');
        HttpResponse<Buffer> response = await(post("/small", "push", UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body)));
        assertError(response, 413, "payload_too_large");
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void oversizedChunkedBodyIs413WhenTheLimitIsPassed() throws Exception {
        HttpClient http = vertx.createHttpClient();
        try {
            HttpClientRequest request = await(http.request(HttpMethod.POST, port, "127.0.0.1", "/small"));
            request.setChunked(true)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("X-GitHub-Event", "push")
                    .putHeader("X-GitHub-Delivery", UUID.randomUUID().toString())
                    .putHeader("X-Hub-Signature-256", SIGNER.sign(new byte[0]));
            // The body handler is set in the same callback that gets the response, so no chunk is missed.
            Future<Map.Entry<Integer, Buffer>> answer = request.response()
                    .compose(response -> response.body().map(body -> Map.entry(response.statusCode(), body)));
            // Send chunks well past the limit without ending the request: the answer must not wait for the end.
            Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
            // Writes after the 413 may fail: the server closes the connection rather than read the rest.
            for (int i = 0; i < 8; i++) {
                request.write(chunk);
            }
            Map.Entry<Integer, Buffer> response = await(answer);
            assertEquals(413, response.getKey());
            JsonObject body = response.getValue().toJsonObject();
            assertEquals("payload_too_large", body.getString("error"));
            assertEquals(0, sink.accepted.size());
        } finally {
            await(http.close());
        }
    }

    @Test
    void aClientThatKeepsSendingAfterThe413IsCutOff() throws Exception {
        HttpClient http = vertx.createHttpClient();
        try {
            HttpClientRequest request = await(http.request(HttpMethod.POST, port, "127.0.0.1", "/small"));
            io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
            request.connection().closeHandler(v -> closed.tryComplete());
            request.setChunked(true)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("X-GitHub-Event", "push")
                    .putHeader("X-GitHub-Delivery", UUID.randomUUID().toString())
                    .putHeader("X-Hub-Signature-256", SIGNER.sign(new byte[0]));
            Future<Integer> status = request.response().map(response -> response.statusCode());
            Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
            long sent = 0;
            // Far past the limit and the swallow allowance; the server must hang up rather than read it all.
            while (!closed.future().isComplete() && sent < 64L * 1024 * 1024) {
                request.write(chunk);
                sent += chunk.length();
                // Honour back-pressure, so that "sent" stays close to what the server actually took in.
                while (request.writeQueueFull() && !closed.future().isComplete()) {
                    Thread.sleep(2);
                }
            }
            await(closed.future());
            assertEquals(413, await(status));
            assertTrue(sent < 32L * 1024 * 1024, "the server kept reading: " + sent + " bytes sent");
            assertEquals(0, sink.accepted.size());
        } finally {
            await(http.close());
        }
    }

    @Test
    void bodyAtTheLimitIsAccepted() throws Exception {
        byte[] json = pushBody();
        byte[] body = new byte[SMALL_LIMIT];
        java.util.Arrays.fill(body, (byte) ' ');
        System.arraycopy(json, 0, body, 0, json.length);
        assertEquals(202, await(post("/small", "push", UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))).statusCode());
    }

    @Test
    void malformedJsonIs400() throws Exception {
        byte[] body = "{\"ref\": \"refs/heads/main\", ".getBytes(StandardCharsets.UTF_8);
        assertError(send("push", body), 400, "malformed_payload");
        assertError(send("push", "{}".getBytes(StandardCharsets.UTF_8)), 400, "malformed_payload");
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void pingIs200AndStoresNothing() throws Exception {
        HttpResponse<Buffer> response = send("ping", new JsonObject().put("zen", "Keep it logically awesome.").put("hook_id", 1).toBuffer().getBytes());
        assertEquals(200, response.statusCode());
        assertEquals("pong", response.bodyAsJsonObject().getString("status"));
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void otherEventsAre202AndIgnored() throws Exception {
        HttpResponse<Buffer> response = send("check_run", new JsonObject().put("action", "created").toBuffer().getBytes());
        assertEquals(202, response.statusCode());
        assertEquals("ignored", response.bodyAsJsonObject().getString("status"));
        assertEquals(0, sink.accepted.size());
    }

    @Test
    void sinkFailureIs503SoGitHubCanRedeliver() throws Exception {
        sink.failing = true;
        byte[] body = pushBody();
        String id = UUID.randomUUID().toString();
        assertError(await(post("/webhooks/github", "push", id, SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))), 503, "not_recorded");
        sink.failing = false;
        // The redelivery of the same id is recorded: the failure left no trace.
        assertEquals(202, await(post("/webhooks/github", "push", id, SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))).statusCode());
        assertEquals(1, sink.accepted.size());
    }

    @Test
    void bigBodiesAreCheckedOffTheEventLoopWithTheSameRules() throws Exception {
        // Past INLINE_CHECK_BYTES the HMAC and the parse run on the worker; the answers must not change.
        byte[] json = pushBody();
        byte[] body = new byte[WebhookHandler.INLINE_CHECK_BYTES * 4];
        java.util.Arrays.fill(body, (byte) ' ');
        System.arraycopy(json, 0, body, 0, json.length);
        HttpResponse<Buffer> recorded = send("push", body);
        assertEquals(202, recorded.statusCode(), recorded.bodyAsString());
        assertEquals("alice/fns", ((GitHubEvent.Push) sink.accepted.get(0).event()).repository().fullName());

        byte[] tampered = body.clone();
        tampered[tampered.length - 1] = '\n';
        assertError(await(post("/webhooks/github", "push", UUID.randomUUID().toString(), SIGNER.sign(body))
                .sendBuffer(Buffer.buffer(tampered))), 401, "signature_invalid");
        byte[] broken = new byte[body.length];
        java.util.Arrays.fill(broken, (byte) '{');
        assertError(send("push", broken), 400, "malformed_payload");
        assertEquals(1, sink.accepted.size());
    }

    @Test
    void aSlowStoreDoesNotQueueUnboundedWork() throws Exception {
        byte[] body = pushBody();
        Future<HttpResponse<Buffer>> first = post("/slow", "push", UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body));
        assertTrue(slowSinkEntered.await(30, TimeUnit.SECONDS));
        // The single slot is taken: the next delivery is told to come back instead of waiting in a queue.
        assertError(await(post("/slow", "push", UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))), 503, "busy");
        slowSinkRelease.countDown();
        assertEquals(202, await(first).statusCode());
        assertEquals(202, await(post("/slow", "push", UUID.randomUUID().toString(), SIGNER.sign(body)).sendBuffer(Buffer.buffer(body))).statusCode());
    }

    @Test
    void builderNamesEveryMissingSetting() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WebhookHandler.builder().maxBodyBytes(0).build());
        assertTrue(e.getMessage().contains("sink") && e.getMessage().contains("worker") && e.getMessage().contains("maxBodyBytes"), e.getMessage());
    }
}
