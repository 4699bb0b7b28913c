package dev.driftless.gateway;

/**
 * Where one function instance listens: a loopback port of the local runtime, or a Kubernetes
 * Service address. {@code version} tells two instances of the same function apart during a rollout.
 */
public record Backend(String host, int port, String version) {
    public Backend {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
