package dev.driftless.entrypoint.java;

import com.openfaas.model.IHandler;
import com.openfaas.model.IResponse;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP entrypoint of java17 function images: serves an OpenFaaS {@code com.openfaas.function.Handler}
 * at {@code /} (any method, any sub-path) and health at {@code /_/health}, on {@code $PORT}.
 *
 * <p>Runs inside the function's image, not in the daemon: it may use only the JDK and the OpenFaaS
 * model. Requests are served concurrently by a fixed pool ({@code $WORKERS}, default 32); a handler
 * that throws gives a 500 with the error, the server keeps running.
 */
public final class Main {
    static final String HEALTH_PATH = "/_/health";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(env("PORT", "8080"));
        int workers = Integer.parseInt(env("WORKERS", "32"));
        long maxBody = Long.parseLong(env("MAX_BODY_BYTES", String.valueOf(64L * 1024 * 1024)));
        // Fail at start, not on every request, when the handler is missing or cannot be created.
        IHandler handler = (IHandler) Class.forName("com.openfaas.function.Handler").getDeclaredConstructor().newInstance();

        HttpServer server = HttpServer.create(new InetSocketAddress(env("HOST", "0.0.0.0"), port), 256);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        server.setExecutor(pool);
        AtomicInteger inFlight = new AtomicInteger();
        server.createContext("/", exchange -> {
            inFlight.incrementAndGet();
            try {
                serve(exchange, handler, maxBody);
            } finally {
                inFlight.decrementAndGet();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM comes once traffic has moved away: finish what is in flight (at most 5 s), then stop.
            // Not server.stop(5): on JDK 17 it waits the whole 5 s even when nothing is in flight (JDK-8304065),
            // which made every rollout hold the old instance for 5 s.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            server.stop(0);
            pool.shutdown();
        }));
        server.start();
        System.out.println("java17 function listening on port " + port);
    }

    private static void serve(HttpExchange exchange, IHandler handler, long maxBody) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (HEALTH_PATH.equals(path)) {
                send(exchange, 200, "text/plain; charset=utf-8", Map.of(), "OK");
                return;
            }
            byte[] body = readBody(exchange.getRequestBody(), maxBody);
            if (body == null) {
                send(exchange, 413, "text/plain; charset=utf-8", Map.of(), "request body larger than " + maxBody + " bytes");
                return;
            }
            DriftlessRequest request = new DriftlessRequest(exchange.getRequestMethod(), new String(body, StandardCharsets.UTF_8),
                    firstValues(exchange.getRequestHeaders()), exchange.getRequestURI().getRawQuery(), path);
            IResponse response;
            try {
                response = handler.Handle(request);
            } catch (Throwable t) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                System.err.println("handler threw: " + trace);
                send(exchange, 500, "text/plain; charset=utf-8", Map.of(), "handler error: " + t);
                return;
            }
            if (response == null) {
                send(exchange, 500, "text/plain; charset=utf-8", Map.of(), "handler error: Handle returned null");
                return;
            }
            int status = response.getStatusCode() == 0 ? 200 : response.getStatusCode();
            send(exchange, status, response.getContentType(), response.getHeaders(), response.getBody());
        } catch (RuntimeException e) {
            System.err.println("request failed: " + e);
        }
    }

    /** Reads the whole body, or returns null when it is larger than the limit. */
    private static byte[] readBody(InputStream in, long maxBody) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
        return bytes.length > maxBody ? null : bytes;
    }

    /** The OpenFaaS Java template passes the first value of each header; so does this. */
    private static Map<String, String> firstValues(Headers headers) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (!header.getValue().isEmpty()) {
                out.put(header.getKey(), header.getValue().get(0));
            }
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, String contentType, Map<String, String> headers, String body)
            throws IOException {
        Headers out = exchange.getResponseHeaders();
        if (contentType != null && !contentType.isEmpty()) {
            out.set("Content-Type", contentType);
        }
        if (headers != null) {
            headers.forEach((name, value) -> {
                if (name != null && value != null) {
                    out.set(name, value);
                }
            });
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        boolean noBody = "HEAD".equalsIgnoreCase(exchange.getRequestMethod()) || status == 204 || status == 304;
        exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!noBody && bytes.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
