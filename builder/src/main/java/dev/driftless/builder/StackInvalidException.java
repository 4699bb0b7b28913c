package dev.driftless.builder;

import java.util.List;

/** stack.yml could not be used: every error found, at once, with file, line and column. */
public class StackInvalidException extends BuildException {
    private final List<StackProblem> problems;

    public StackInvalidException(List<StackProblem> problems) {
        super(problems.stream().filter(p -> p.severity() == StackProblem.Severity.ERROR)
                .findFirst().map(StackProblem::toString).orElse("stack.yml is invalid"));
        this.problems = List.copyOf(problems);
    }

    public List<StackProblem> problems() {
        return problems;
    }
}
