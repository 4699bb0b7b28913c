package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;

/**
 * Reconcile throughput of {@link KubernetesRuntime} on the mock API server: 1 000 functions across 100
 * owners (10 each), with {@link FakeDeploymentController} marking Deployments available. The mock API server
 * and the controller run in a child JVM ({@link MockApiServer}), so the heap measured here is the runtime's
 * and its fabric8 client's, as in the daemon. Passes over
 * all functions, as the periodic resync makes them: first (everything created), nothing changed (must write
 * nothing), 1 % changed (10 new digests). Prints time, writes and heap after GC for each.
 *
 * <p>Run with {@code bench/reconcile/run.sh [owners] [functionsPerOwner] [workers]}.
 */
public final class ReconcileBench {

    public static void main(String[] args) throws Exception {
        int owners = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int perOwner = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        // the mock server logs every request at INFO; that would measure the console
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
        java.util.Arrays.stream(java.util.logging.Logger.getLogger("").getHandlers()).forEach(h -> h.setLevel(Level.WARNING));

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf("machine: %d cpus, java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("functions: %d owners x %d = %d, reconcile workers: %d%n", owners, perOwner, owners * perOwner, workers);
        Process mock = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), MockApiServer.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        java.io.BufferedReader mockOut = new java.io.BufferedReader(new java.io.InputStreamReader(mock.getInputStream()));
        java.io.PrintStream mockIn = new java.io.PrintStream(mock.getOutputStream(), true);
        String first = mockOut.readLine();
        if (first == null || !first.startsWith("url ")) {
            throw new IllegalStateException("the mock API server did not start: " + first);
        }
        AtomicLong requests = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(first.substring(4)).withNamespace("default").build())
                .withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("count", new Interceptor() {
                    @Override
                    public void before(BasicBuilder b, HttpRequest request, RequestTags tags) {
                        requests.incrementAndGet();
                        if (!request.method().equals("GET")) {
                            writes.incrementAndGet();
                        }
                    }
                }))
                .build();
        try (KubernetesRuntime runtime = new KubernetesRuntime(client, KubernetesRuntimeConfig.defaults()
                .withRollout(60, Duration.ofSeconds(120), Duration.ofMillis(25)))) {
            ExecutorService pool = Executors.newFixedThreadPool(workers);
            List<FunctionDeployment> desired = new ArrayList<>();
            for (int o = 0; o < owners; o++) {
                for (int f = 0; f < perOwner; f++) {
                    desired.add(fn("owner" + o, "fn" + f, 1));
                }
            }
            Counters counters = new Counters(requests, writes, () -> {
                mockIn.println("count");
                try {
                    String line = mockOut.readLine();
                    return Long.parseLong(line.substring("count ".length()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long startedInformers = System.nanoTime();
            long beforeStart = requests.get();
            runtime.start();
            System.out.printf("informers started and synced in %.2f s with %d API requests%n",
                    (System.nanoTime() - startedInformers) / 1e9, requests.get() - beforeStart);
            System.out.printf("heap after GC before any pass: %d MiB%n", heapAfterGc(memory));
            System.out.println("| pass | functions | wall time | per function | created/rolled out | unchanged | failed | API writes | API requests (runtime's client) | requests the mock server answered | heap after GC |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            pass("first (create all)", desired, runtime, pool, counters, memory);
            pass("full resync, nothing changed", desired, runtime, pool, counters, memory);
            List<FunctionDeployment> changed = new ArrayList<>(desired);
            for (int i = 0; i < changed.size(); i += 100) { // 1 %: one function in every hundred gets a new digest
                FunctionDeployment old = changed.get(i);
                changed.set(i, fn(old.owner(), old.function(), 2));
            }
            pass("full resync, 1 % changed", changed, runtime, pool, counters, memory);
            pass("full resync, nothing changed (again)", changed, runtime, pool, counters, memory);
            pool.shutdown();
        } finally {
            client.close();
            mock.getOutputStream().close();
            mock.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            mock.destroy();
        }
        System.exit(0);
    }

    private static void pass(String name, List<FunctionDeployment> desired, KubernetesRuntime runtime, ExecutorService pool,
                             Counters counters, MemoryMXBean memory) throws Exception {
        long writesBefore = counters.writes().get();
        long requestsBefore = counters.requests().get();
        long servedBefore = counters.served().getAsLong();
        Map<RolloutResult.Outcome, AtomicLong> outcomes = new EnumMap<>(RolloutResult.Outcome.class);
        for (RolloutResult.Outcome o : RolloutResult.Outcome.values()) {
            outcomes.put(o, new AtomicLong());
        }
        long start = System.nanoTime();
        List<Future<RolloutResult>> results = new ArrayList<>();
        for (FunctionDeployment fn : desired) {
            results.add(pool.submit(() -> runtime.deploy(fn)));
        }
        for (Future<RolloutResult> r : results) {
            RolloutResult result = r.get();
            outcomes.get(result.outcome()).incrementAndGet();
            if (result.failed()) {
                System.err.println("failed: " + result);
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        long writes = counters.writes().get() - writesBefore;
        long requests = counters.requests().get() - requestsBefore;
        long served = counters.served().getAsLong() - servedBefore;
        System.out.printf("| %s | %d | %.2f s | %.1f ms | %d | %d | %d | %d | %d | %d | %d MiB |%n", name, desired.size(),
                wall.toMillis() / 1000.0, wall.toMillis() / (double) desired.size(),
                outcomes.get(RolloutResult.Outcome.ROLLED_OUT).get(), outcomes.get(RolloutResult.Outcome.UNCHANGED).get(),
                outcomes.get(RolloutResult.Outcome.FAILED).get(), writes, requests, served, heapAfterGc(memory));
    }

    /** {@code served}: the mock server's own count, which includes the simulated controller's requests. */
    private record Counters(AtomicLong requests, AtomicLong writes, java.util.function.LongSupplier served) { }

    private static long heapAfterGc(MemoryMXBean memory) {
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed() >> 20;
    }

    private static FunctionDeployment fn(String owner, String function, int release) {
        String digest = String.format("%064x", (long) (owner + function).hashCode() * 31 + release).replace(' ', '0');
        return new FunctionDeployment(owner, "fns", function, "registry.test/" + owner + "/" + function + "@sha256:" + digest,
                "commit" + release, release, Map.of("GREETING", "hello", "MODE", "bench"), List.of("api-key"),
                Map.of("team", "bench"), Map.of(), FunctionDeployment.Resources.none(), true);
    }
}
