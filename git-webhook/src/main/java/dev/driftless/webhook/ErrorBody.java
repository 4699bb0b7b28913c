package dev.driftless.webhook;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The small JSON record every refused webhook request gets: a stable code and a sentence for people. */
record ErrorBody(String error, String message) {

    String toJson() {
        return new JsonObject().put("error", error).put("message", message).encode();
    }

    /** Ends {@code response} with {@code status} and this body, unless it was already answered. */
    void send(HttpServerResponse response, int status) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(toJson());
    }
}
