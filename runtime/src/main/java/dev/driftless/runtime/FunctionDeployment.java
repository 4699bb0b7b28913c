package dev.driftless.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The desired state of one function in a runtime. Built fresh by the reconciler from a release;
 * runtimes compare it with what runs.
 *
 * @param owner       the verified owner (never from stack.yml), a DNS-1123 label
 * @param repository  the repository it came from (recorded as a label, used for pruning)
 * @param function    the function's name, a DNS-1123 label
 * @param image       the image by digest, {@code repository@sha256:…}
 * @param commit      the commit the image was built from
 * @param release     the release number in the function's history
 * @param environment environment variables from stack.yml
 * @param secrets     names of secrets the function reads (by reference, never inlined)
 * @param labels      user labels from stack.yml (ours are added by the runtime and win)
 * @param annotations user annotations from stack.yml
 * @param resources   requests and limits, already within the operator's caps
 * @param readOnlyRootFilesystem false only when stack.yml turns it off
 */
public record FunctionDeployment(
        String owner,
        String repository,
        String function,
        String image,
        String commit,
        int release,
        Map<String, String> environment,
        List<String> secrets,
        Map<String, String> labels,
        Map<String, String> annotations,
        Resources resources,
        boolean readOnlyRootFilesystem) {

    public FunctionDeployment {
        environment = Map.copyOf(environment);
        secrets = List.copyOf(secrets);
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    /** Requests and limits; memory in bytes, cpu in millicores. */
    public record Resources(
            Optional<Long> memoryRequestBytes,
            Optional<Long> memoryLimitBytes,
            Optional<Long> cpuRequestMillis,
            Optional<Long> cpuLimitMillis) {
        public static Resources none() {
            return new Resources(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }
}
