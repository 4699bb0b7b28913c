package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.FunctionDeployment;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

import java.util.Map;
import java.util.TreeMap;

/** Requests and limits from the stack, filled from the operator's defaults and held under the caps. */
final class ResourcePolicy {
    private static final long MIB = 1024L * 1024L;
    private final KubernetesRuntimeConfig config;

    ResourcePolicy(KubernetesRuntimeConfig config) {
        this.config = config;
    }

    ResourceRequirements requirements(FunctionDeployment.Resources asked) {
        long memoryLimit = Math.min(asked.memoryLimitBytes().orElse(config.defaultMemoryLimitBytes()), config.maxMemoryBytes());
        long memoryRequest = Math.min(asked.memoryRequestBytes().orElse(config.defaultMemoryRequestBytes()), memoryLimit);
        long cpuLimit = Math.min(asked.cpuLimitMillis().orElse(config.defaultCpuLimitMillis()), config.maxCpuMillis());
        long cpuRequest = Math.min(asked.cpuRequestMillis().orElse(config.defaultCpuRequestMillis()), config.maxCpuMillis());
        if (cpuLimit > 0) {
            cpuRequest = Math.min(cpuRequest, cpuLimit);
        }
        Map<String, Quantity> requests = new TreeMap<>();
        requests.put("memory", memory(Math.max(memoryRequest, 1)));
        requests.put("cpu", cpu(Math.max(cpuRequest, 1)));
        Map<String, Quantity> limits = new TreeMap<>();
        limits.put("memory", memory(Math.max(memoryLimit, 1)));
        if (cpuLimit > 0) {
            // no cpu limit by default: throttling hurts latency more than it protects neighbours
            limits.put("cpu", cpu(cpuLimit));
        }
        return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
    }

    // The API server canonicalises quantities; writing them canonically keeps the compare stable.
    private static Quantity memory(long bytes) {
        return bytes % MIB == 0 ? new Quantity(bytes / MIB + "Mi") : new Quantity(Long.toString(bytes));
    }

    private static Quantity cpu(long millis) {
        return millis % 1000 == 0 ? new Quantity(Long.toString(millis / 1000)) : new Quantity(millis + "m");
    }
}
