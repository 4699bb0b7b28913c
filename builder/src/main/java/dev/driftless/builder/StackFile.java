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
 * @param templates {@code configuration.templates} entries, in file order
 * @param functions in file order
 */
record StackFile(String file, String version, String provider, List<String> copy, List<TemplateSource> templates,
                 List<Function> functions) {

    StackFile {
        copy = List.copyOf(copy);
        templates = List.copyOf(templates);
        functions = List.copyOf(functions);
    }

    Optional<TemplateSource> template(String name) {
        return templates.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    StackFile withFunctions(List<Function> replaced) {
        return new StackFile(file, version, provider, copy, templates, replaced);
    }

    /**
     * One {@code configuration.templates} entry: {@code source: <git URL>#<commit>}, faas-cli's pinning syntax.
     *
     * @param url     the repository, without the {@code #commit}; empty when the entry has no source (template store)
     * @param commit  the full 40-character commit it is pinned to; empty when not pinned (allowed for built-in names only)
     * @param builtIn the name is one of Driftless's own templates
     * @param line    where the entry is, for messages
     */
    record TemplateSource(String name, Optional<String> url, Optional<String> commit, boolean builtIn, int line, int column) {
        String where(String file) {
            return file + ":" + line;
        }
    }

    /**
     * A {@code build_options} entry with where it is written, or OpenFaaS's {@code build_args: ADDITIONAL_PACKAGE}
     * (its Dockerfiles {@code apk add} those): then {@code packages} lists them and {@code name} is
     * {@link #ADDITIONAL_PACKAGE}; for a named option the template says which packages it means.
     */
    record BuildOption(String name, List<String> packages, int line, int column) {
        static final String ADDITIONAL_PACKAGE = "ADDITIONAL_PACKAGE";

        BuildOption {
            packages = List.copyOf(packages);
        }

        BuildOption(String name, int line, int column) {
            this(name, List.of(), line, column);
        }

        boolean additionalPackages() {
            return name.equals(ADDITIONAL_PACKAGE) && !packages.isEmpty();
        }

        /** How the user wrote it, for messages. */
        String described() {
            return additionalPackages() ? "build_args ADDITIONAL_PACKAGE" : "build_options '" + name + "'";
        }
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
            List<BuildOption> buildOptions,
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
            buildOptions = List.copyOf(buildOptions);
            constraints = List.copyOf(constraints);
        }

        /** The same function, failing alone with {@code problem} (found after parsing: a fetched template, a build option). */
        Function withFailure(StackProblem problem) {
            return new Function(name, lang, null, handler, image, environment, secrets, labels, annotations, memoryLimitBytes,
                    memoryRequestBytes, cpuLimitMillis, cpuRequestMillis, buildArgs, buildOptions, constraints,
                    readOnlyRootFilesystem, skipBuild, Optional.of(problem), line, column);
        }

        FunctionSpec spec() {
            return new FunctionSpec(name, lang, environment, secrets, labels, annotations,
                    memoryLimitBytes, memoryRequestBytes, cpuLimitMillis, cpuRequestMillis, readOnlyRootFilesystem);
        }
    }
}
