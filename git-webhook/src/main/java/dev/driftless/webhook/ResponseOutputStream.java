package dev.driftless.webhook;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A chunked Vert.x response as a blocking {@link OutputStream} for a worker thread. Writes go out in
 * chunks of {@link #CHUNK} bytes and each waits until Vert.x wrote it, so a slow client slows the writer
 * down instead of filling memory. {@link #close()} ends the response.
 */
final class ResponseOutputStream extends OutputStream {
    static final int CHUNK = 64 * 1024;

    private final HttpServerResponse response;
    private final long writeTimeoutMillis;
    private final byte[] pending = new byte[CHUNK];
    private int count;
    private boolean closed;

    ResponseOutputStream(HttpServerResponse response, long writeTimeoutMillis) {
        this.response = response;
        this.writeTimeoutMillis = writeTimeoutMillis;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == CHUNK) {
            flush();
        }
        pending[count++] = (byte) b;
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        while (length > 0) {
            if (count == CHUNK) {
                flush();
            }
            int n = Math.min(length, CHUNK - count);
            System.arraycopy(data, offset, pending, count, n);
            count += n;
            offset += n;
            length -= n;
        }
    }

    @Override
    public void flush() throws IOException {
        if (count == 0 || closed) {
            return;
        }
        if (!response.headWritten()) {
            response.setChunked(true);
        }
        Buffer chunk = Buffer.buffer(count).appendBytes(pending, 0, count);
        count = 0;
        await(response.write(chunk));
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        if (!response.headWritten()) {
            response.setChunked(true);
        }
        await(response.end());
    }

    private void await(Future<Void> write) throws IOException {
        try {
            write.toCompletionStage().toCompletableFuture().get(writeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("writing to the client failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the client did not read the answer for " + writeTimeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing to the client", e);
        }
    }
}
