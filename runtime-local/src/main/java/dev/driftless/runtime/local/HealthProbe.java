package dev.driftless.runtime.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Polls {@code GET /_/health} of an instance until it answers 200, the process exits, or time runs out. */
final class HealthProbe {
    enum Result { HEALTHY, TIMED_OUT, EXITED }

    static final String PATH = "/_/health";

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private static final long TIGHT_POLLING_NANOS = Duration.ofSeconds(3).toNanos();

    Result await(Instance instance, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + PATH))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long started = System.nanoTime();
        long pause = 20;
        while (true) {
            if (!instance.alive()) {
                return Result.EXITED;
            }
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return Result.HEALTHY;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() >= deadline) {
                return instance.alive() ? Result.TIMED_OUT : Result.EXITED;
            }
            Thread.sleep(pause);
            // Tight polling while a start is expected (a JVM answers after a few hundred ms: a doubling pause
            // would overshoot by as much), then backing off for the slow ones.
            if (System.nanoTime() - started > TIGHT_POLLING_NANOS) {
                pause = Math.min(500, pause * 2);
            }
        }
    }
}
