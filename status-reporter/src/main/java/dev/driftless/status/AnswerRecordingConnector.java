package dev.driftless.status;

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
 * github-api's own connector with two additions the outbox needs:
 * <ul>
 *   <li>a deadline: the library's connector has no timeout, and a call that never ends would hold an
 *       outbox row past its lease (another replica would then post it a second time);</li>
 *   <li>the headers of the last answer on the calling thread: github-api only shows headers on a failure
 *       ({@code HttpException}), but a success with {@code X-RateLimit-Remaining: 0} must pause the token too.</li>
 * </ul>
 */
final class AnswerRecordingConnector implements GitHubConnector {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "driftless-github-call-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final GitHubConnector delegate;
    private final Duration deadline;
    private final ThreadLocal<GitHubAnswer> last = new ThreadLocal<>();

    AnswerRecordingConnector(GitHubConnector delegate, Duration deadline) {
        this.delegate = delegate;
        this.deadline = deadline;
    }

    @Override
    public GitHubConnectorResponse send(GitHubConnectorRequest request) throws IOException {
        last.remove();
        Future<GitHubConnectorResponse> call = CALLS.submit(() -> delegate.send(request));
        GitHubConnectorResponse response;
        try {
            response = call.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
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
        last.set(new GitHubAnswer(response.statusCode(), response.allHeaders(), ""));
        return response;
    }

    /** What the last call made on this thread answered (status and headers), or null. */
    GitHubAnswer lastAnswer() {
        return last.get();
    }
}
