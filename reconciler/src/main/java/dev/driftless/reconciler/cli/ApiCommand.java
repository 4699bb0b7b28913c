package dev.driftless.reconciler.cli;

import io.vertx.core.json.JsonObject;

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
 * The commands that act through the running daemon's authenticated API (bearer token):
 * {@code rollback} ({@code POST /api/v1/owners/<owner>/functions/<function>/rollback}) and
 * {@code suspend} / {@code resume} ({@code POST /api/v1/owners/<owner>/repositories/<repo>/suspend|resume}).
 */
public final class ApiCommand {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI daemon;
    private final String token;
    private final PrintStream out;
    private final PrintStream err;

    public ApiCommand(URI daemon, String token, PrintStream out, PrintStream err) {
        this.daemon = daemon;
        this.token = token;
        this.out = out;
        this.err = err;
    }

    /** Redeploys release {@code release} of a function (its digest, no rebuild). */
    public ExitCode rollback(String owner, String function, int release) throws InterruptedException {
        return post("rollback", "/api/v1/owners/" + encode(owner) + "/functions/" + encode(function) + "/rollback",
                "{\"release\":" + release + "}", "no such function or release");
    }

    /** Suspends or resumes reconciling a repository. */
    public ExitCode suspend(String owner, String repository, boolean suspend) throws InterruptedException {
        String verb = suspend ? "suspend" : "resume";
        return post(verb, "/api/v1/owners/" + encode(owner) + "/repositories/" + encode(repository) + "/" + verb,
                "{}", "no such repository");
    }

    private ExitCode post(String command, String path, String body, String notFound) throws InterruptedException {
        URI uri = daemon.resolve(path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println(command + ": cannot reach the daemon at " + daemon + ": " + e.getMessage());
            return ExitCode.RUNTIME_FAILURE;
        }
        switch (response.statusCode()) {
            case 200 -> {
                out.println(response.body());
                return ExitCode.OK;
            }
            case 202 -> {
                return follow(command, response.body());
            }
            case 401, 403 -> err.println(command + ": refused (" + response.statusCode()
                    + "): check the token (DRIFTLESS_TOKEN or --token) and the owner");
            case 404 -> err.println(command + ": " + uri + " answered 404: " + notFound
                    + ", or the API is not served on this port (--url)");
            default -> err.println(command + ": the daemon answered " + response.statusCode() + ": " + response.body());
        }
        return ExitCode.RUNTIME_FAILURE;
    }

    /** Follows a queued job (it runs on whichever replica claims it) until it finished; exit code by its result. */
    private ExitCode follow(String command, String accepted) throws InterruptedException {
        JsonObject job = new JsonObject(accepted);
        out.println(command + ": queued as job " + job.getLong("job"));
        URI status = daemon.resolve(job.getString("status"));
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (!job.getBoolean("finished", false)) {
            if (System.nanoTime() > deadline) {
                err.println(command + ": job " + job.getLong("job") + " is still " + job.getString("state")
                        + " after 15 minutes; follow it at " + status);
                return ExitCode.RUNTIME_FAILURE;
            }
            Thread.sleep(250);
            try {
                HttpResponse<String> seen = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (seen.statusCode() != 200) {
                    err.println(command + ": " + status + " answered " + seen.statusCode() + ": " + seen.body());
                    return ExitCode.RUNTIME_FAILURE;
                }
                job = new JsonObject(seen.body());
            } catch (IOException e) {
                err.println(command + ": cannot reach the daemon at " + daemon + ": " + e.getMessage());
                return ExitCode.RUNTIME_FAILURE;
            }
        }
        if (job.getBoolean("succeeded", false)) {
            out.println(job.getString("message"));
            return ExitCode.OK;
        }
        err.println(command + ": " + job.getString("message"));
        return ExitCode.RUNTIME_FAILURE;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
