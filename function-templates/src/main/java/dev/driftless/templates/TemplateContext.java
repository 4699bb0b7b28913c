package dev.driftless.templates;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a template gets to build one function.
 *
 * @param functionName the function's name from stack.yml
 * @param handlerDir   the handler folder inside the checked-out workspace (already guarded)
 * @param workDir      an empty folder the template may use; removed by the builder afterwards
 * @param buildArgs    {@code build_args} from stack.yml
 * @param testTimeout  time limit for the handler's tests (the test process is killed after it)
 * @param log          where progress and tool output go (the function's build log)
 */
public record TemplateContext(
        String functionName,
        Path handlerDir,
        Path workDir,
        Map<String, String> buildArgs,
        Duration testTimeout,
        BuildLog log) {

    public TemplateContext {
        buildArgs = Map.copyOf(buildArgs);
    }
}
