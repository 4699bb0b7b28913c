package dev.driftless.runtime.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * The mock API server in CRUD mode (expectations first, for the pod log endpoint the CRUD store cannot
 * serve), one client for the runtime that records every request it sends, and one for the test's
 * simulated controller, whose writes are not counted.
 */
final class MockCluster implements AutoCloseable {
    final KubernetesMockServer server;
    final KubernetesClient runtimeClient;
    final KubernetesClient controllerClient;
    private final List<String> requests = new ArrayList<>();
    private final List<Fault> faults = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * An injected answer: the next {@code times} requests with {@code method} whose path (with its query) matches
     * {@code path} get {@code code} with a Kubernetes Status body, instead of what the CRUD store would answer.
     */
    record Fault(String method, java.util.function.Predicate<String> path, int code, java.util.concurrent.atomic.AtomicInteger left,
                 java.util.concurrent.atomic.AtomicInteger served) {
        boolean matches(String requestMethod, String requestPath) {
            return method.equalsIgnoreCase(requestMethod) && path.test(requestPath) && left.get() > 0;
        }

        boolean take() {
            if (left.getAndDecrement() > 0) {
                served.incrementAndGet();
                return true;
            }
            return false;
        }
    }

    /** Injects {@code code} for the next {@code times} matching requests; the returned fault counts what it served. */
    Fault inject(String method, java.util.function.Predicate<String> path, int code, int times) {
        Fault fault = new Fault(method, path, code, new java.util.concurrent.atomic.AtomicInteger(times),
                new java.util.concurrent.atomic.AtomicInteger());
        faults.add(fault);
        return fault;
    }

    MockCluster() {
        // one map: expectations recorded by server.expect() are the ones the dispatcher answers first
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations) {
                    @Override
                    public io.fabric8.mockwebserver.http.MockResponse dispatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
                        for (Fault fault : faults) {
                            if (fault.matches(request.getMethod(), request.getPath()) && fault.take()) {
                                return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(fault.code())
                                        .setHeader("Content-Type", "application/json")
                                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
                                                + fault.code() + ",\"message\":\"injected " + fault.code() + "\"}");
                            }
                        }
                        return super.dispatch(request);
                    }
                }, false);
        server.init();
        runtimeClient = server.createClient(builder -> builder.withHttpClientBuilderConsumer(http ->
                http.addOrReplaceInterceptor("count-requests", new Interceptor() {
                    @Override
                    public void before(BasicBuilder b, HttpRequest request, RequestTags tags) {
                        synchronized (requests) {
                            String query = request.uri().getRawQuery();
                            boolean watch = query != null && query.contains("watch=true");
                            requests.add(request.method() + " " + request.uri().getRawPath() + (watch ? " watch" : ""));
                        }
                    }
                })));
        controllerClient = server.createClient();
    }

    /** Every request the runtime sent, as {@code METHOD /path}, with {@code " watch"} after a watch's path. */
    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Requests that change something: anything but GET. */
    List<String> writes() {
        return requests().stream().filter(r -> !r.startsWith("GET ")).toList();
    }

    long writeCount() {
        return writes().size();
    }

    @Override
    public void close() {
        runtimeClient.close();
        controllerClient.close();
        server.destroy();
    }
}
