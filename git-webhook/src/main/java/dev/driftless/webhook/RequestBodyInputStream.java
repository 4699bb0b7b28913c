package dev.driftless.webhook;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The body of a Vert.x request as a blocking {@link InputStream} for a worker thread. At most about
 * {@link #HIGH_WATER} bytes wait in memory: past that the request is paused, and resumed once the reader
 * caught up. More than {@code limit} bytes in total fail the read with {@link LimitExceeded}.
 * Must be created on the request's event loop, before the body starts to flow.
 */
final class RequestBodyInputStream extends InputStream {
    static final int HIGH_WATER = 512 * 1024;
    private static final int LOW_WATER = 128 * 1024;

    /** The body is larger than allowed. */
    static final class LimitExceeded extends IOException {
        LimitExceeded(String message) {
            super(message);
        }
    }

    private final HttpServerRequest request;
    private final Context context;
    private final long limit;
    private final String limitMessage;
    private final long idleTimeoutMillis;

    // Guarded by this: filled on the event loop, drained on the worker.
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean ended;
    private boolean paused;
    private boolean discarding;
    private long discardedBytes;
    private long drainLimit = -1;
    private Throwable failure;

    // Reader side only.
    private Buffer current;
    private int position;
    private long total;

    RequestBodyInputStream(HttpServerRequest request, Context context, long limit, String limitMessage, long idleTimeoutMillis) {
        this.request = request;
        this.context = context;
        this.limit = limit;
        this.limitMessage = limitMessage;
        this.idleTimeoutMillis = idleTimeoutMillis;
        request.handler(this::offer);
        request.endHandler(v -> finish(null));
        request.exceptionHandler(this::finish);
        // A router may have paused the request before the handler ran.
        request.resume();
    }

    private synchronized void offer(Buffer chunk) {
        if (discarding) {
            discardedBytes += chunk.length();
            if (drainLimit >= 0 && discardedBytes > drainLimit) {
                request.connection().close();
            }
            return;
        }
        queue.add(chunk);
        queuedBytes += chunk.length();
        if (queuedBytes > HIGH_WATER && !paused) {
            paused = true;
            request.pause();
        }
        notifyAll();
    }

    private synchronized void finish(Throwable error) {
        if (error != null && failure == null && !ended) {
            failure = error;
        }
        ended = true;
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (current == null || position >= current.length()) {
            current = next();
            position = 0;
            if (current == null) {
                return -1;
            }
        }
        int n = Math.min(length, current.length() - position);
        current.getBytes(position, position + n, target, offset);
        position += n;
        total += n;
        if (total > limit) {
            throw new LimitExceeded(limitMessage);
        }
        return n;
    }

    private synchronized Buffer next() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        while (queue.isEmpty()) {
            if (failure != null) {
                throw new IOException("the client connection failed: " + failure.getMessage(), failure);
            }
            if (ended) {
                return null;
            }
            long waitMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (waitMillis <= 0) {
                throw new IOException("the client sent nothing for " + idleTimeoutMillis + " ms");
            }
            try {
                wait(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the request body", e);
            }
        }
        Buffer chunk = queue.poll();
        queuedBytes -= chunk.length();
        if (paused && queuedBytes < LOW_WATER) {
            paused = false;
            context.runOnContext(v -> request.resume());
        }
        return chunk;
    }

    /** Stops buffering: whatever else the client sends is dropped. */
    @Override
    public synchronized void close() {
        discarding = true;
        queue.clear();
        queuedBytes = 0;
        if (paused) {
            paused = false;
            context.runOnContext(v -> request.resume());
        }
    }

    /**
     * Called once the answer is complete but the client is still sending (a push over the limit): reads and
     * drops up to {@code maxBytes} more so that the client gets to read the answer instead of failing with a
     * broken pipe, then cuts the connection; also cut when the rest does not arrive within the idle timeout.
     */
    void drainRest(long maxBytes) {
        close();
        context.runOnContext(v -> {
            if (request.isEnded()) {
                return;
            }
            synchronized (this) {
                drainLimit = maxBytes;
                if (discardedBytes > drainLimit) {
                    request.connection().close();
                    return;
                }
            }
            context.owner().setTimer(idleTimeoutMillis, t -> {
                if (!request.isEnded()) {
                    request.connection().close();
                }
            });
        });
    }
}
