package dev.driftless.webhook;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/github}: verifies, parses and hands GitHub deliveries to a {@link DeliverySink}.
 *
 * <p>Mount it without a {@code BodyHandler} in front: it reads the body itself so that it can refuse an
 * oversized one (413) without holding it. The event loop only checks headers, counts bytes and verifies the
 * HMAC; the sink runs on the given worker executor (or, for an {@link AsyncDeliverySink}, in its own group
 * commit) and the answer is sent only after it returned, so nothing answered 2xx is lost. At most {@code maxInFlight} deliveries wait for the sink; more are answered 503 so that
 * a slow store cannot queue unbounded work (GitHub lets the user redeliver).
 */
public final class WebhookHandler implements Handler<RoutingContext> {
    /** GitHub's own cap on webhook payloads. */
    public static final long DEFAULT_MAX_BODY_BYTES = 25L * 1024 * 1024;
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    /** Bodies up to this size are verified and parsed on the event loop; bigger ones on the worker. */
    static final int INLINE_CHECK_BYTES = 256 * 1024;
    /** What a refused request may still send before the connection is closed on it. */
    static final long MAX_SWALLOW_BYTES = 2L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);
    private static final Pattern EVENT_NAME = Pattern.compile("[a-z_]{1,64}");
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9-]{1,100}");

    private final Supplier<WebhookSecrets> secrets;
    private final long maxBodyBytes;
    private final int maxInFlight;
    private final DeliverySink sink;
    private final WorkerExecutor worker;
    private final Clock clock;
    private final BiConsumer<String, String> outcomes;
    private final AtomicInteger inFlight = new AtomicInteger();

    private WebhookHandler(Builder builder) {
        this.secrets = builder.secrets;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.maxInFlight = builder.maxInFlight;
        this.sink = builder.sink;
        this.worker = builder.worker;
        this.clock = builder.clock;
        this.outcomes = builder.outcomes;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String event = request.getHeader("X-GitHub-Event");
        WebhookSecrets verifier = secrets.get();
        if (verifier == null) {
            refuse(request, event, 503, "webhook_secret_missing",
                    "no GitHub webhook secret is configured (DRIFTLESS_GITHUB_WEBHOOK_SECRET); deliveries are refused until one is set");
            return;
        }
        String mediaType = mediaType(request.getHeader("Content-Type"));
        if (!"application/json".equals(mediaType)) {
            String message = "application/x-www-form-urlencoded".equals(mediaType)
                    ? "form-encoded deliveries are not accepted: switch the webhook's content type to application/json in the GitHub webhook settings"
                    : "the body must be application/json, got " + (mediaType.isEmpty() ? "no Content-Type" : mediaType);
            refuse(request, event, 415, "unsupported_media_type", message);
            return;
        }
        // Refused before a byte of the body is read.
        if (declaredLength(request) > maxBodyBytes) {
            refuse(request, event, 413, "payload_too_large", tooLarge());
            return;
        }
        String signature = request.getHeader("X-Hub-Signature-256");
        if (signature == null || signature.isBlank()) {
            refuse(request, event, 401, "signature_missing", "X-Hub-Signature-256 is missing; configure the webhook with the shared secret");
            return;
        }
        readBody(request, body -> afterBody(ctx, verifier, event, signature, body));
    }

    /** Collects the body up to the limit; past it, answers 413 at once and stops collecting. */
    private void readBody(HttpServerRequest request, Handler<Buffer> whenComplete) {
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if ((long) body.length() + chunk.length() > maxBodyBytes) {
                refused[0] = true;
                refuse(request, request.getHeader("X-GitHub-Event"), 413, "payload_too_large", tooLarge());
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> LOG.debug("webhook request failed while reading: {}", e.toString()));
        request.endHandler(v -> {
            if (!refused[0]) {
                whenComplete.handle(body);
            }
        });
        // A router may have paused the request before this handler ran.
        request.resume();
    }

    /**
     * Verifies and parses a complete body. Small bodies are checked on the event loop (microseconds); big ones
     * on the worker, because hashing and parsing megabytes would stall every other connection of the loop.
     */
    private void afterBody(RoutingContext ctx, WebhookSecrets verifier, String event, String signature, Buffer body) {
        String deliveryId = ctx.request().getHeader("X-GitHub-Delivery");
        if (body.length() <= INLINE_CHECK_BYTES) {
            act(ctx, event, check(verifier, event, deliveryId, signature, body));
            return;
        }
        worker.executeBlocking(() -> check(verifier, event, deliveryId, signature, body), false).onComplete(checked -> {
            if (checked.failed()) {
                answer(ctx, event, 503, "busy", new ErrorBody("busy", "the delivery could not be checked; redeliver later"));
            } else {
                act(ctx, event, checked.result());
            }
        });
    }

    /** The verdict on a complete request: a refusal, or the parsed delivery. */
    private record Checked(int status, ErrorBody refusal, Delivery delivery) { }

    private Checked check(WebhookSecrets verifier, String event, String deliveryId, String signature, Buffer body) {
        if (!verifier.verify(body.getBytes(), signature)) {
            return new Checked(401, new ErrorBody("signature_invalid",
                    "X-Hub-Signature-256 does not match the body; check that the webhook secret matches DRIFTLESS_GITHUB_WEBHOOK_SECRET"), null);
        }
        if (event == null || !EVENT_NAME.matcher(event).matches()) {
            return new Checked(400, new ErrorBody("bad_request", "X-GitHub-Event is missing or not an event name"), null);
        }
        if (deliveryId == null || !DELIVERY_ID.matcher(deliveryId).matches()) {
            return new Checked(400, new ErrorBody("bad_request", "X-GitHub-Delivery is missing or not a delivery id"), null);
        }
        try {
            return new Checked(0, null, new Delivery(deliveryId, event, clock.instant(), GitHubEventParser.parse(event, body)));
        } catch (MalformedEventException e) {
            return new Checked(400, new ErrorBody("malformed_payload", e.getMessage()), null);
        }
    }

    private void act(RoutingContext ctx, String event, Checked checked) {
        if (checked.refusal() != null) {
            answer(ctx, event, checked.status(), checked.refusal().error(), checked.refusal());
            return;
        }
        Delivery delivery = checked.delivery();
        if (delivery.event() instanceof GitHubEvent.Ping) {
            reply(ctx.response(), 200, new JsonObject().put("status", "pong"));
            outcome(event, "pong");
        } else if (delivery.event() instanceof GitHubEvent.Other) {
            LOG.debug("ignoring GitHub event {} (delivery {})", event, delivery.id());
            reply(ctx.response(), 202, new JsonObject().put("status", "ignored").put("event", event));
            outcome(event, "ignored");
        } else {
            hand(ctx, delivery);
        }
    }

    /** Hands the delivery to the sink on a worker thread; answers once it returned. */
    private void hand(RoutingContext ctx, Delivery delivery) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            answer(ctx, delivery.eventName(), 503, "busy", new ErrorBody("busy",
                    "too many deliveries are being recorded; redeliver later"));
            return;
        }
        Future<DeliverySink.Result> recorded;
        if (sink instanceof AsyncDeliverySink async) {
            // Group commit: no worker thread waits; the answer goes out on this request's event loop after the commit.
            Context context = ctx.vertx().getOrCreateContext();
            Promise<DeliverySink.Result> promise = Promise.promise();
            async.submit(delivery).whenComplete((result, failure) -> context.runOnContext(v -> {
                if (failure != null) {
                    promise.fail(failure);
                } else {
                    promise.complete(result);
                }
            }));
            recorded = promise.future();
        } else {
            recorded = worker.executeBlocking(() -> sink.accept(delivery), false);
        }
        recorded.onComplete(result -> {
            inFlight.decrementAndGet();
            if (result.failed()) {
                LOG.warn("delivery {} ({}) could not be recorded: {}", delivery.id(), delivery.eventName(), result.cause().toString());
                answer(ctx, delivery.eventName(), 503, "not_recorded", new ErrorBody("not_recorded",
                        "the delivery could not be recorded; redeliver it from the GitHub webhook settings"));
            } else if (result.result() == DeliverySink.Result.DUPLICATE) {
                reply(ctx.response(), 200, new JsonObject().put("status", "duplicate").put("delivery", delivery.id()));
                outcome(delivery.eventName(), "duplicate");
            } else {
                reply(ctx.response(), 202, new JsonObject().put("status", "recorded").put("delivery", delivery.id()));
                outcome(delivery.eventName(), "recorded");
            }
        });
    }

    /**
     * Refuses before the body was read (an unreadable Content-Length counts as too large). Like Tomcat's {@code maxSwallowSize}: up to {@link #MAX_SWALLOW_BYTES} of
     * what the client still sends is read and dropped, so that it can read the answer on a healthy connection;
     * past that, or when the declared length is bigger, the connection is closed instead.
     */
    private void refuse(HttpServerRequest request, String event, int status, String error, String message) {
        HttpServerResponse response = request.response();
        outcome(event, error);
        if (request.isEnded()) {
            new ErrorBody(error, message).send(response, status);
            return;
        }
        if (response.ended() || response.closed()) {
            return;
        }
        long declared = declaredLength(request);
        boolean swallow = declared <= MAX_SWALLOW_BYTES;
        if (!swallow) {
            response.putHeader("Connection", "close");
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(new ErrorBody(error, message).toJson())
                .onComplete(done -> {
                    if (!swallow) {
                        request.connection().close();
                    }
                });
        if (swallow) {
            long[] swallowed = {0};
            request.handler(chunk -> {
                swallowed[0] += chunk.length();
                if (swallowed[0] > MAX_SWALLOW_BYTES) {
                    request.handler(null);
                    request.connection().close();
                }
            });
            request.resume();
        }
    }

    /** The declared body length, -1 when unknown (chunked), {@code Long.MAX_VALUE} when unreadable. */
    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private void answer(RoutingContext ctx, String event, int status, String outcome, ErrorBody body) {
        outcome(event, outcome);
        body.send(ctx.response(), status);
    }

    private static void reply(HttpServerResponse response, int status, JsonObject body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
    }

    private void outcome(String event, String outcome) {
        try {
            outcomes.accept(event == null ? "" : event, outcome);
        } catch (RuntimeException e) {
            LOG.warn("webhook outcome listener failed: {}", e.toString());
        }
    }

    private String tooLarge() {
        return "the body exceeds the limit of " + maxBodyBytes + " bytes";
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** Configuration of a {@link WebhookHandler}; {@link #build()} names every missing setting at once. */
    public static final class Builder {
        private Supplier<WebhookSecrets> secrets = () -> null;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private DeliverySink sink;
        private WorkerExecutor worker;
        private Clock clock = Clock.systemUTC();
        private BiConsumer<String, String> outcomes = (event, outcome) -> { };

        private Builder() { }

        /** The shared webhook secret; {@code null} or blank means none is configured and every delivery gets 503. */
        public Builder secret(String secret) {
            return secrets(secret, null);
        }

        /**
         * The current secret and, during a rotation, the previous one (both accepted); a {@code null} or
         * blank current secret means none is configured and every delivery gets 503.
         */
        public Builder secrets(String current, String previous) {
            WebhookSecrets fixed = current == null || current.isBlank() ? null : WebhookSecrets.of(current, previous);
            return secrets(() -> fixed);
        }

        /** Secrets looked up per delivery (they may be set while the daemon runs); {@code null} = none yet. */
        public Builder secrets(Supplier<WebhookSecrets> secrets) {
            this.secrets = Objects.requireNonNull(secrets, "secrets");
            return this;
        }

        public Builder maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Builder sink(DeliverySink sink) {
            this.sink = sink;
            return this;
        }

        /** A named, bounded pool, e.g. {@code vertx.createSharedWorkerExecutor("driftless-webhook", 4)}. */
        public Builder worker(WorkerExecutor worker) {
            this.worker = worker;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Told (event name, outcome) for every request, e.g. to count deliveries by event and outcome. */
        public Builder outcomes(BiConsumer<String, String> outcomes) {
            this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
            return this;
        }

        public WebhookHandler build() {
            List<String> problems = new ArrayList<>();
            if (sink == null) {
                problems.add("sink is not set");
            }
            if (worker == null) {
                problems.add("worker executor is not set");
            }
            if (maxBodyBytes <= 0) {
                problems.add("maxBodyBytes must be positive, got " + maxBodyBytes);
            }
            if (maxInFlight <= 0) {
                problems.add("maxInFlight must be positive, got " + maxInFlight);
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("webhook handler configuration: " + String.join("; ", problems));
            }
            return new WebhookHandler(this);
        }
    }
}
