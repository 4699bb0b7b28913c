package dev.driftless.reconciler.app;

import dev.driftless.reconciler.reconcile.Previews;
import dev.driftless.runtime.FunctionDeployment;
import java.util.ArrayList;
import java.util.List;
import dev.driftless.reconciler.reconcile.Reconciler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this replica's gateway routes in line with the store: with several replicas behind one
 * Service, a function deployed, rolled back or pruned by one of them answers (or stops answering) on
 * all of them within one interval. Level-based: each pass reads the serving releases and writes only
 * differences. Reading the store is blocking, so it runs on its own thread, never on an event loop.
 */
final class RouteFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteFollower.class);
    static final Duration INTERVAL = Duration.ofSeconds(2);

    private final Reconciler reconciler;
    private final Previews previews;
    private final RoutedRuntime runtime;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "driftless-route-follower");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean failing;

    RouteFollower(Reconciler reconciler, Previews previews, RoutedRuntime runtime) {
        this.reconciler = reconciler;
        this.previews = previews;
        this.runtime = runtime;
    }

    void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void runOnce() {
        try {
            List<FunctionDeployment> serving = new ArrayList<>(reconciler.serving());
            serving.addAll(previews.serving()); // previews are routes too
            runtime.follow(serving);
            if (failing) {
                failing = false;
                LOG.info("event=route_follow_recovered");
            }
        } catch (Exception e) {
            // Logged once per outage: the routes this replica has keep serving meanwhile.
            if (!failing) {
                failing = true;
                LOG.warn("event=route_follow_failed error=\"{}\"", e.toString());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
