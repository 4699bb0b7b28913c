package dev.driftless.reconciler.reconcile;

import dev.driftless.runtime.DeployedFunction;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.RolloutResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A runtime that keeps what it runs in memory and counts its writes: lets the reconcile tests check
 * idempotence (no writes on a second pass) and what was pruned. The real runtimes pass the shared
 * contract suite; this one stands in only where the test is about the reconcile loop's decisions.
 */
final class RecordingRuntime implements FunctionRuntime {
    final Map<String, FunctionDeployment> running = new ConcurrentHashMap<>();
    final List<String> writes = new ArrayList<>();
    final Set<String> brokenImages = ConcurrentHashMap.newKeySet();

    @Override
    public String kind() {
        return "recording";
    }

    @Override
    public synchronized RolloutResult deploy(FunctionDeployment deployment) {
        String key = deployment.owner() + "/" + deployment.function();
        FunctionDeployment now = running.get(key);
        if (now != null && now.image().equals(deployment.image()) && now.environment().equals(deployment.environment())) {
            return RolloutResult.unchanged();
        }
        if (brokenImages.contains(deployment.image())) {
            writes.add("failed " + key);
            return new RolloutResult(RolloutResult.Outcome.FAILED, "HealthCheckTimeout", "never answered /_/health",
                    Duration.ofMillis(5), List.of("Traceback: boom"));
        }
        writes.add("deploy " + key + " " + deployment.image());
        running.put(key, deployment);
        return new RolloutResult(RolloutResult.Outcome.ROLLED_OUT, now == null ? "Created" : "RolloutSucceeded",
                "serving", Duration.ofMillis(5), List.of());
    }

    @Override
    public List<DeployedFunction> list(String owner, String repository) {
        return running.values().stream().filter(d -> d.owner().equals(owner) && d.repository().equals(repository))
                .map(RecordingRuntime::deployed).toList();
    }

    @Override
    public List<DeployedFunction> listOwner(String owner) {
        return running.values().stream().filter(d -> d.owner().equals(owner)).map(RecordingRuntime::deployed).toList();
    }

    @Override
    public synchronized void remove(String owner, String repository, String function) {
        FunctionDeployment deployment = running.get(owner + "/" + function);
        if (deployment != null && deployment.repository().equals(repository)) {
            running.remove(owner + "/" + function);
            writes.add("remove " + owner + "/" + function);
        }
    }

    @Override
    public List<String> recentLogs(String owner, String function, int maxLines) {
        return new ArrayList<>();
    }

    @Override
    public void close() {
    }

    String imageOf(String owner, String function) {
        FunctionDeployment deployment = running.get(owner + "/" + function);
        return deployment == null ? null : deployment.image();
    }

    private static DeployedFunction deployed(FunctionDeployment d) {
        return new DeployedFunction(d.owner(), d.repository(), d.function(), d.image(), d.commit(), d.release(), 1, 1);
    }
}
