package dev.driftless.builder;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime settings of one function from stack.yml, after {@code ${VAR}} substitution and
 * validation. Memory values are bytes; cpu values are millicores.
 */
public record FunctionSpec(
        String name,
        String lang,
        Map<String, String> environment,
        List<String> secrets,
        Map<String, String> labels,
        Map<String, String> annotations,
        Optional<Long> memoryLimitBytes,
        Optional<Long> memoryRequestBytes,
        Optional<Long> cpuLimitMillis,
        Optional<Long> cpuRequestMillis,
        boolean readOnlyRootFilesystem) {

    public FunctionSpec {
        environment = Map.copyOf(environment);
        secrets = List.copyOf(secrets);
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }
}
