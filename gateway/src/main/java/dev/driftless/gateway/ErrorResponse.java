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
        boolean unread = !request.isEnded() && hasBody(request);
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store");
        if (unread) {
            // Do not read a refused body just to keep the connection: close it once the answer is out.
            response.putHeader("Connection", "close");
        }
        Future<Void> sent = response.end(new JsonObject().put("error", message).encode());
        if (unread) {
            sent.onComplete(done -> request.connection().close());
        }
        return sent;
    }

    /** Whether a body follows the head; a GET's end may simply not have been processed yet. */
    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return request.headers().contains("Transfer-Encoding") || (length != null && !length.trim().equals("0"));
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
