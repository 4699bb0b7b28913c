package dev.driftless.builder;

import java.util.List;

/**
 * The outcome of building one commit: every function of its stack.yml, in file order.
 * A stack.yml that does not validate is not a result but a {@link StackInvalidException}.
 */
public record BuildResult(String commit, List<FunctionBuild> functions) {
    public BuildResult {
        functions = List.copyOf(functions);
    }
}
