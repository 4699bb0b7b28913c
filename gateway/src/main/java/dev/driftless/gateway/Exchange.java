package dev.driftless.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.Set;

/**
 * One request forwarded to one backend, start to finish, on the event loop of the incoming
 * connection. Bodies flow both ways with back-pressure (the sender is paused while the receiver's
 * write queue is full), so memory per exchange stays at a few buffers whatever the body size.
 * {@link #finish} runs exactly once and gives back everything the exchange holds.
 */
final class Exchange {
    private static final Set<String> REQUEST_SKIP = HopByHop.names(
            "host", "expect", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-prefix");
    private static final Set<String> RESPONSE_SKIP = Set.of();

    interface Outcome {
        void finished(int status, long durationNanos);
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final Resolution.Forward target;
    private final InMemoryRouteTable.Lease lease;
    private final Runnable clientPermit;
    private final long maxBodyBytes;
    private final Outcome outcome;
    private final TrustedProxies proxies;
    private final long started = System.nanoTime();
    private long timer = -1;
    private long received;
    private HttpClientRequest upstream;
    private boolean finished;

    Exchange(Vertx vertx, HttpClient client, HttpServerRequest request, Resolution.Forward target,
             InMemoryRouteTable.Lease lease, Runnable clientPermit, long maxBodyBytes, TrustedProxies proxies,
             Outcome outcome) {
        this.proxies = proxies;
        this.vertx = vertx;
        this.client = client;
        this.request = request;
        this.response = request.response();
        this.target = target;
        this.lease = lease;
        this.clientPermit = clientPermit;
        this.maxBodyBytes = maxBodyBytes;
        this.outcome = outcome;
    }

    /**
     * A request whose body is still coming must be paused already, so no byte is lost while the upstream
     * connection is made. (An ended request is not paused: in Vert.x that would pause the connection and
     * stall the next request on a kept-alive connection.)
     */
    void start(Duration timeout) {
        timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            timer = -1;
            fail(ErrorResponse.timeout());
        });
        response.closeHandler(v -> clientGone());
        Backend backend = lease.backend();
        String query = request.query();
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(backend.host())
                .setPort(backend.port())
                .setURI(query == null ? target.path() : target.path() + "?" + query)
                .setFollowRedirects(false);
        client.request(options).onComplete(ready -> {
            if (finished) {
                if (ready.succeeded()) {
                    ready.result().reset();
                }
                return;
            }
            if (ready.failed()) {
                fail(ErrorResponse.badGateway());
                return;
            }
            upstream = ready.result();
            sendRequest();
        });
    }

    private void sendRequest() {
        HopByHop.copy(request.headers(), upstream.headers(), REQUEST_SKIP);
        String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        upstream.putHeader("X-Forwarded-For", proxies.forwardedFor(remote, request.getHeader("X-Forwarded-For")));
        upstream.putHeader("X-Forwarded-Proto", "https");
        upstream.putHeader("X-Forwarded-Host", request.getHeader(HttpHeaders.HOST));
        upstream.putHeader("X-Forwarded-Prefix", target.prefix());
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING) && !request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            upstream.setChunked(true);
        }
        upstream.exceptionHandler(error -> fail(ErrorResponse.badGateway()));
        upstream.response().onComplete(answer -> {
            if (answer.succeeded()) {
                sendResponse(answer.result());
            } else {
                fail(ErrorResponse.badGateway());
            }
        });
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            response.writeContinue();
        }
        if (request.isEnded()) {
            upstream.end(); // no body, or all of it already read (it was small and the request not paused)
            return;
        }
        request.handler(this::requestChunk);
        request.endHandler(v -> {
            if (!finished) {
                upstream.end();
            }
        });
        request.exceptionHandler(error -> clientGone());
        request.resume();
    }

    private void requestChunk(Buffer chunk) {
        if (finished) {
            return;
        }
        received += chunk.length();
        if (received > maxBodyBytes) {
            fail(ErrorResponse.tooLarge());
            return;
        }
        upstream.write(chunk);
        if (upstream.writeQueueFull()) {
            request.pause();
            upstream.drainHandler(v -> request.resume());
        }
    }

    private void sendResponse(HttpClientResponse answer) {
        if (finished) {
            return;
        }
        response.setStatusCode(answer.statusCode());
        response.setStatusMessage(answer.statusMessage());
        HopByHop.copy(answer.headers(), response.headers(), RESPONSE_SKIP);
        boolean bodiless = request.method() == HttpMethod.HEAD || answer.statusCode() == 204 || answer.statusCode() == 304
                || answer.statusCode() < 200;
        if (!bodiless && !answer.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
        }
        answer.pipeTo(response).onComplete(piped -> {
            if (piped.succeeded()) {
                finish(answer.statusCode());
            } else if (!finished) {
                // Mid-body failure: the status is out already, so the client learns by a cut connection.
                request.connection().close();
                finish(answer.statusCode() >= 500 ? answer.statusCode() : 502);
            }
        });
    }

    private void fail(ErrorResponse error) {
        if (finished) {
            return;
        }
        // Finish before the reset: resetting fires the upstream's failure handlers right away.
        finish(error.status());
        error.send(request);
        resetUpstream();
    }

    private void clientGone() {
        if (finished) {
            return;
        }
        finish(499); // nginx's "client closed request": counted as neither success nor function error
        resetUpstream();
    }

    private void resetUpstream() {
        if (upstream != null) {
            upstream.reset();
        }
    }

    private void finish(int status) {
        if (finished) {
            return;
        }
        finished = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        lease.release();
        clientPermit.run();
        outcome.finished(status, System.nanoTime() - started);
    }
}
