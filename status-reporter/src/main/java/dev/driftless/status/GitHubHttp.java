package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * One GitHub REST call, blocking, with the JDK {@link HttpClient}. Chosen over kohsuke github-api
 * because the sender needs every answer's status code and its {@code Retry-After} and
 * {@code X-RateLimit-*} headers, and must own retries; github-api retries and waits on its own.
 * Never follows redirects (a redirected POST would drop the body) and never logs the token.
 */
final class GitHubHttp {
    static final String API_VERSION = "2022-11-28";
    private final URI apiBase;
    private final HttpClient client;
    private final Duration requestTimeout;

    GitHubHttp(URI apiBase, Duration connectTimeout, Duration requestTimeout) {
        String base = Objects.requireNonNull(apiBase, "apiBase").toString();
        // GHES bases look like https://host/api/v3; paths are appended, so drop a trailing slash.
        this.apiBase = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.requestTimeout = requestTimeout;
    }

    /** Sends {@code method path} with {@code Authorization: Bearer token}; throws only on network errors. */
    GitHubResponse send(String method, String path, String bearer, JsonObject body) throws IOException {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.encode());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiBase + path))
                .timeout(requestTimeout)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", API_VERSION)
                .header("User-Agent", "driftless-status-reporter")
                .header("Authorization", "Bearer " + bearer)
                .method(method, publisher);
        if (body != null) {
            request.header("Content-Type", "application/json; charset=utf-8");
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new GitHubResponse(response.statusCode(), response.headers(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling GitHub", e);
        }
    }
}
