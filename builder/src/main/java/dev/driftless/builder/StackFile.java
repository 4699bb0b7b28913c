package dev.driftless.builder;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated stack.yml: the OpenFaaS schema, after {@code ${VAR}} substitution.
 *
 * @param file      the file name it was read from ({@code stack.yml} or {@code stack.yaml})
 * @param version   the schema version ({@code 1.0} in OpenFaaS files), informational
 * @param provider  {@code provider.name}, informational ({@code openfaas} or {@code faas})
 * @param copy      {@code configuration.copy}: repository-relative folders copied into every handler's build folder
 * @param functions in file order
 */
record StackFile(String file, String version, String provider, List<String> copy, List<Function> functions) {

    StackFile {
        copy = List.copyOf(copy);
        functions = List.copyOf(functions);
    }

    /**
     * One function. {@code handler} is already checked (inside the repository, an existing folder).
     *
     * @param template   the canonical template name that {@code lang} maps to (null when {@code failure} is set)
     * @param handler    repository-relative, normalized handler folder ({@code kubecon}, {@code fns/hello})
     * @param image      the {@code image:} from stack.yml: information only, never pushed to
     * @param failure    set when this function alone cannot be built (an unsupported {@code lang}); the others still build
     * @param line       where the function's name is, for messages
     */
    record Function(
            String name,
            String lang,
            String template,
            String handler,
            Optional<String> image,
            Map<String, String> environment,
            List<String> secrets,
            Map<String, String> labels,
            Map<String, String> annotations,
            Optional<Long> memoryLimitBytes,
            Optional<Long> memoryRequestBytes,
            Optional<Long> cpuLimitMillis,
            Optional<Long> cpuRequestMillis,
            Map<String, String> buildArgs,
            List<String> constraints,
            boolean readOnlyRootFilesystem,
            boolean skipBuild,
            Optional<StackProblem> failure,
            int line,
            int column) {

        Function {
            environment = Map.copyOf(environment);
            secrets = List.copyOf(secrets);
            labels = Map.copyOf(labels);
            annotations = Map.copyOf(annotations);
            buildArgs = Map.copyOf(buildArgs);
            constraints = List.copyOf(constraints);
        }

        FunctionSpec spec() {
            return new FunctionSpec(name, lang, environment, secrets, labels, annotations,
                    memoryLimitBytes, memoryRequestBytes, cpuLimitMillis, cpuRequestMillis, readOnlyRootFilesystem);
        }
    }
}
