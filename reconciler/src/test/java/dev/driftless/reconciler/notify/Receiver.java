package dev.driftless.reconciler.notify;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A notification receiver for tests: a real HTTP server that records every request and answers as told
 * (500, hang until released, or 204). "Accepted" are the requests it answered 2xx.
 */
public final class Receiver implements AutoCloseable {
    public enum Mode { FAIL, HANG, ACCEPT }

    /** One request as it arrived, and what it was answered. */
    public record Request(String event, String delivery, String signature, String contentType, String body, int answered) { }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private volatile Mode mode;
    private volatile CountDownLatch hang = new CountDownLatch(1);

    public Receiver(Mode mode) throws IOException {
        this.mode = mode;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Mode now = this.mode;
            int status = switch (now) {
                case FAIL -> 500;
                case HANG -> 0;
                case ACCEPT -> 204;
            };
            if (now == Mode.HANG) {
                record(exchange.getRequestHeaders().getFirst("X-Driftless-Event"),
                        exchange.getRequestHeaders().getFirst("X-Driftless-Delivery"),
                        exchange.getRequestHeaders().getFirst("X-Hub-Signature-256"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body, 0);
                try {
                    hang.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close(); // the caller gave up long ago; drop the connection
                return;
            }
            record(exchange.getRequestHeaders().getFirst("X-Driftless-Event"),
                    exchange.getRequestHeaders().getFirst("X-Driftless-Delivery"),
                    exchange.getRequestHeaders().getFirst("X-Hub-Signature-256"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body, status);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    private synchronized void record(String event, String delivery, String signature, String type, String body, int status) {
        requests.add(new Request(event, delivery, signature, type, body, status));
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/driftless";
    }

    public void mode(Mode mode) {
        if (this.mode == Mode.HANG && mode != Mode.HANG) {
            hang.countDown();
            hang = new CountDownLatch(1);
        }
        this.mode = mode;
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public synchronized List<Request> accepted() {
        return requests.stream().filter(r -> r.answered() >= 200 && r.answered() < 300).collect(Collectors.toList());
    }

    @Override
    public void close() {
        hang.countDown();
        server.stop(0);
    }
}
