package dev.driftless.dashboard;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;

/**
 * github-api's connector with a deadline: the library's own has no timeout, and a sign-in must not hold a
 * worker thread forever on a GitHub that stopped answering.
 */
final class DeadlineConnector implements GitHubConnector {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "driftless-signin-github-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final GitHubConnector delegate;
    private final Duration deadline;

    DeadlineConnector(GitHubConnector delegate, Duration deadline) {
        this.delegate = delegate;
        this.deadline = deadline;
    }

    @Override
    public GitHubConnectorResponse send(GitHubConnectorRequest request) throws IOException {
        Future<GitHubConnectorResponse> call = CALLS.submit(() -> delegate.send(request));
        try {
            return call.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true); // the JDK client's send is interruptible
            throw new SocketTimeoutException("GitHub did not answer within " + deadline.toSeconds() + " s");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while calling GitHub");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("calling GitHub failed: " + e.getCause(), e.getCause());
        }
    }
}
