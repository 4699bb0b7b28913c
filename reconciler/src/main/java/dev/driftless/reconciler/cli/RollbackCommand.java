package dev.driftless.reconciler.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code driftless rollback <owner>/<function> <release>}: asks the running daemon's authenticated API
 * ({@code POST /api/v1/owners/<owner>/functions/<function>/rollback}) to redeploy an earlier release.
 */
public final class RollbackCommand {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ExitCode run(URI daemon, String token, String owner, String function, int release, PrintStream out, PrintStream err)
            throws InterruptedException {
        URI uri = daemon.resolve("/api/v1/owners/" + encode(owner) + "/functions/" + encode(function) + "/rollback");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"release\":" + release + "}"))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("rollback: cannot reach the daemon at " + daemon + ": " + e.getMessage());
            return ExitCode.RUNTIME_FAILURE;
        }
        switch (response.statusCode()) {
            case 200 -> {
                out.println(response.body());
                return ExitCode.OK;
            }
            case 401, 403 -> err.println("rollback: refused (" + response.statusCode() + "): check the token (DRIFTLESS_TOKEN or --token) and the owner");
            case 404 -> err.println("rollback: " + uri + " answered 404: no such function or release, or the API is not served on this port (--url)");
            default -> err.println("rollback: the daemon answered " + response.statusCode() + ": " + response.body());
        }
        return ExitCode.RUNTIME_FAILURE;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
