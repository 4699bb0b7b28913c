package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.Views.Traffic;

import java.time.Duration;

/** Request / error / latency figures of a function over a window, from the gateway's R.E.D. metrics. */
@FunctionalInterface
public interface TrafficSource {
    Traffic traffic(String owner, String function, Duration window);

    static TrafficSource none() {
        return (owner, function, window) -> Traffic.none();
    }
}
