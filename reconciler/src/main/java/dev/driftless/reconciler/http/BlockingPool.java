package dev.driftless.reconciler.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A named, bounded pool for blocking work (JDBC, JGit) started from an event loop. When its threads and
 * its queue are full, {@link #submit} fails at once with {@link PoolFullException} (the caller answers 503)
 * instead of queueing without bound.
 */
public final class BlockingPool implements Executor, AutoCloseable {
    private final String name;
    private final ThreadPoolExecutor executor;

    public BlockingPool(String name, int threads, int queueCapacity) {
        this.name = name;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread thread = new Thread(r, name + "-" + n.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    public String name() {
        return name;
    }

    /** Runs {@code work} on the pool; the future completes on the calling Vert.x context. */
    public <T> Future<T> submit(Vertx vertx, Callable<T> work) {
        Context context = vertx.getOrCreateContext();
        Promise<T> promise = Promise.promise();
        try {
            executor.execute(() -> {
                try {
                    T result = work.call();
                    context.runOnContext(v -> promise.complete(result));
                } catch (Throwable e) {
                    context.runOnContext(v -> promise.fail(e));
                }
            });
        } catch (RejectedExecutionException e) {
            promise.fail(new PoolFullException(name));
        }
        return promise.future();
    }

    /** Plain {@link Executor} use; throws {@link RejectedExecutionException} when full. */
    @Override
    public void execute(Runnable command) {
        executor.execute(command);
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pool could take no more work. */
    public static final class PoolFullException extends RuntimeException {
        public PoolFullException(String pool) {
            super("worker pool " + pool + " is full", null, false, false);
        }
    }
}
