package dev.driftless.gateway;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.Locale;

/**
 * Plain HTTP answers only with 308 to the same host and path on HTTPS (308 keeps the method and body).
 * Hosts outside the domain are refused, so the gateway is never an open redirector.
 */
final class HttpsRedirect implements Handler<HttpServerRequest> {
    private final RequestResolver resolver;
    private final int httpsPort;

    HttpsRedirect(RequestResolver resolver, int httpsPort) {
        this.resolver = resolver;
        this.httpsPort = httpsPort;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String host = request.getHeader(HttpHeaders.HOST);
        Resolution resolution = resolver.resolve(host, request.path());
        if (resolution instanceof Resolution.Refuse refusal) {
            new ErrorResponse(refusal.status(), refusal.message()).send(request);
            return;
        }
        String name = host.replaceFirst(":[0-9]{1,5}$", "").toLowerCase(Locale.ROOT);
        String authority = httpsPort == 443 ? name : name + ":" + httpsPort;
        request.response()
                .setStatusCode(308)
                .putHeader(HttpHeaders.LOCATION, "https://" + authority + request.uri())
                .putHeader(HttpHeaders.CONTENT_LENGTH, "0")
                .end();
    }
}
