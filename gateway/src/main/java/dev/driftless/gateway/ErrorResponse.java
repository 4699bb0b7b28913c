package dev.driftless.gateway;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The gateway's own answers: a short JSON body, never internal detail. */
record ErrorResponse(int status, String message) {
    Future<Void> send(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        if (response.headWritten()) {
            // Too late for a status: the only honest signal left is to cut the connection.
            request.connection().close();
            return Future.succeededFuture();
        }
        boolean unread = !request.isEnded();
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store");
        if (unread) {
            // The body we did not read would be taken for the next request on a kept-alive connection.
            response.putHeader("Connection", "close");
        }
        Future<Void> sent = response.end(new JsonObject().put("error", message).encode());
        if (unread) {
            sent.onComplete(done -> request.connection().close());
        }
        return sent;
    }

    static ErrorResponse notFound() {
        return new ErrorResponse(404, "function not found");
    }

    static ErrorResponse tooLarge() {
        return new ErrorResponse(413, "request body too large");
    }

    static ErrorResponse tooMany() {
        return new ErrorResponse(429, "too many requests");
    }

    static ErrorResponse badGateway() {
        return new ErrorResponse(502, "function unavailable");
    }

    static ErrorResponse timeout() {
        return new ErrorResponse(504, "function timed out");
    }
}
