package dev.driftless.runtime.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Polls {@code GET /_/health} of an instance until it answers 200, the process exits, or time runs out. The
 * first poll goes out at once and the pauses start short ({@link #FIRST_PAUSE_MS}, growing by half up to
 * {@link #MAX_PAUSE_MS}): a function woken from zero has a request waiting, and python and node answer within
 * some 100 ms, so a coarse poll would be most of the wake. A refused connection costs well under a millisecond.
 */
final class HealthProbe {
    enum Result { HEALTHY, TIMED_OUT, EXITED }

    static final String PATH = "/_/health";
    static final long FIRST_PAUSE_MS = 5;
    static final long MAX_PAUSE_MS = 50;

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    Result await(Instance instance, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + PATH))
                .timeout(Duration.ofSeconds(2)).GET().build();
        double pause = FIRST_PAUSE_MS;
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
            Thread.sleep((long) pause);
            pause = Math.min(MAX_PAUSE_MS, pause * 1.5);
        }
    }
}
