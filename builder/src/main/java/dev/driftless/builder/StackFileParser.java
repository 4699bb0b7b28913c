package dev.driftless.builder;

import dev.driftless.templates.FunctionTemplate;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads stack.yml (the OpenFaaS schema) through SnakeYAML's node API so every value keeps its line and
 * column, and reports every problem at once. Errors make the file unusable; warnings are logged.
 */
final class StackFileParser {
    static final int MAX_STACK_FILE_BYTES = 1024 * 1024;
    private static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{40}");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Set<String> TOP_KEYS = Set.of("version", "provider", "functions", "configuration");
    private static final Set<String> FUNCTION_KEYS = Set.of("lang", "handler", "image", "environment", "environment_file",
            "secrets", "labels", "annotations", "limits", "requests", "build_args", "constraints",
            "readonly_root_filesystem", "skip_build", "build_options");
    private static final Map<String, String> IGNORED_FUNCTION_KEYS = Map.of(
            "fprocess", "the template sets the process",
            "namespace", "each owner has its own namespace",
            "platforms", "images are built for the daemon's platform",
            "redirect", "not supported");

    private final TemplateCatalog catalog;
    private final long maxMemoryBytes;
    private final long maxCpuMillis;
    private final int maxFunctions;

    StackFileParser(TemplateCatalog catalog, long maxMemoryBytes, long maxCpuMillis, int maxFunctions) {
        this.catalog = catalog;
        this.maxMemoryBytes = maxMemoryBytes;
        this.maxCpuMillis = maxCpuMillis;
        this.maxFunctions = maxFunctions;
    }

    /** The parsed file when it has no errors, and every problem found. */
    /**
     * @param problems every problem found, in file order; function-level failures (an unsupported
     *                 {@code lang}) are among them but alone do not make the stack unusable: that
     *                 function fails and the others build
     */
    record Outcome(Optional<StackFile> stack, List<StackProblem> problems) {
        Outcome {
            problems = List.copyOf(problems);
        }

        List<StackProblem> warnings() {
            return problems.stream().filter(p -> p.severity() == StackProblem.Severity.WARNING).toList();
        }
    }

    /**
     * @param realRoot the checked-out repository (real path): handler folders and environment files must be in it
     */
    Outcome parse(Path realRoot, String fileName, String text, Map<String, String> variables) {
        Pass pass = new Pass(realRoot, fileName, new VarSubstitution(variables));
        Optional<StackFile> stack = pass.run(text);
        boolean errors = pass.problems.stream().anyMatch(p -> p.severity() == StackProblem.Severity.ERROR);
        List<StackProblem> all = new ArrayList<>(pass.problems);
        all.addAll(pass.functionFailures);
        all.sort(java.util.Comparator.comparing(StackProblem::file, java.util.Comparator.comparing((String f) -> !f.equals(fileName)))
                .thenComparingInt(StackProblem::line).thenComparingInt(StackProblem::column));
        return new Outcome(errors ? Optional.empty() : stack, all);
    }

    static Node compose(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);   // no billion laughs
        options.setNestingDepthLimit(40);
        options.setCodePointLimit(MAX_STACK_FILE_BYTES);
        options.setAllowDuplicateKeys(true);       // duplicates are reported with positions below
        return new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(new org.yaml.snakeyaml.DumperOptions()),
                new org.yaml.snakeyaml.DumperOptions(), options).compose(new StringReader(text));
    }

    /** One parse: the problems found so far and where they are. */
    private final class Pass {
        final Path realRoot;
        final String file;
        final VarSubstitution vars;
        final List<StackProblem> problems = new ArrayList<>();
        final List<StackProblem> functionFailures = new ArrayList<>();
        /** configuration.templates entries that are not built in: name to where the entry is, for the functions' messages. */
        final Map<String, String> foreignTemplates = new LinkedHashMap<>();
        final List<StackFile.TemplateSource> templateSources = new ArrayList<>();
        String currentFile;

        Pass(Path realRoot, String file, VarSubstitution vars) {
            this.realRoot = realRoot;
            this.file = file;
            this.vars = vars;
            this.currentFile = file;
        }

        void error(Node at, String message) {
            problems.add(problem(at == null ? null : at.getStartMark(), StackProblem.Severity.ERROR, message));
        }

        void warn(Node at, String message) {
            problems.add(problem(at == null ? null : at.getStartMark(), StackProblem.Severity.WARNING, message));
        }

        StackProblem problem(Mark mark, StackProblem.Severity severity, String message) {
            int line = mark == null ? 1 : mark.getLine() + 1;
            int column = mark == null ? 1 : mark.getColumn() + 1;
            return new StackProblem(currentFile, line, column, severity, message);
        }

        Optional<StackFile> run(String text) {
            Node root;
            try {
                root = compose(text);
            } catch (MarkedYAMLException e) {
                Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
                problems.add(problem(mark, StackProblem.Severity.ERROR, "not valid YAML: " + e.getProblem()));
                return Optional.empty();
            } catch (YAMLException e) {
                problems.add(problem(null, StackProblem.Severity.ERROR, "not valid YAML: " + e.getMessage()));
                return Optional.empty();
            } catch (IllegalArgumentException e) {
                // SnakeYAML throws this for a malformed tag such as "!%00" (found by the fuzzer).
                problems.add(problem(null, StackProblem.Severity.ERROR, "not valid YAML: " + e.getMessage()));
                return Optional.empty();
            }
            if (!(root instanceof MappingNode top)) {
                error(root, "stack file must be a mapping with 'functions'");
                return Optional.empty();
            }
            String version = "";
            String provider = "";
            List<String> copy = List.of();
            Node functionsNode = null;
            for (NodeTuple t : tuples(top)) {
                String key = key(t);
                switch (key) {
                    case "version" -> version = scalar(t.getValueNode(), "version").orElse("");
                    case "provider" -> provider = provider(t.getValueNode());
                    case "configuration" -> copy = configuration(t.getValueNode());
                    case "functions" -> functionsNode = t.getValueNode();
                    default -> warn(t.getKeyNode(), "unknown key '" + key + "' is ignored (known: " + String.join(", ", sorted(TOP_KEYS)) + ")");
                }
            }
            if (version.isEmpty()) {
                warn(top, "no 'version' (OpenFaaS files say version: 1.0)");
            }
            if (functionsNode == null) {
                error(top, "no 'functions' in the stack file");
                return Optional.empty();
            }
            if (!(functionsNode instanceof MappingNode fns) || fns.getValue().isEmpty()) {
                error(functionsNode, "'functions' must map function names to their settings");
                return Optional.empty();
            }
            List<NodeTuple> entries = tuples(fns);
            if (entries.size() > maxFunctions) {
                // Fast and loud: nothing else is worth checking until the count is within the limit.
                error(functionsNode, "stack file has " + entries.size() + " functions, the limit is " + maxFunctions);
                return Optional.empty();
            }
            Map<String, Node> seen = new HashMap<>();
            List<StackFile.Function> functions = new ArrayList<>();
            for (NodeTuple t : entries) {
                String name = key(t);
                Node nameNode = t.getKeyNode();
                if (!(nameNode instanceof ScalarNode)) {
                    error(nameNode, "function name must be a string");
                    continue;
                }
                if (name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
                    error(nameNode, "function name '" + name + "' is not a DNS-1123 label (lower-case letters, digits and '-', "
                            + "starting and ending with a letter or digit, at most 63 characters)");
                }
                Node previous = seen.putIfAbsent(name, nameNode);
                if (previous != null) {
                    error(nameNode, "function '" + name + "' is defined twice (first at line " + (previous.getStartMark().getLine() + 1) + ")");
                    continue;
                }
                function(name, nameNode, t.getValueNode()).ifPresent(functions::add);
            }
            return Optional.of(new StackFile(file, version, provider, copy, templateSources, functions));
        }

        String provider(Node node) {
            if (!(node instanceof MappingNode m)) {
                error(node, "'provider' must be a mapping with 'name'");
                return "";
            }
            String name = "";
            for (NodeTuple t : tuples(m)) {
                switch (key(t)) {
                    case "name" -> {
                        name = scalar(t.getValueNode(), "provider.name").orElse("");
                        if (!name.equals("openfaas") && !name.equals("faas")) {
                            warn(t.getValueNode(), "provider '" + name + "' is treated as openfaas");
                        }
                    }
                    case "gateway", "network" -> { } // the daemon is the gateway
                    default -> warn(t.getKeyNode(), "unknown key 'provider." + key(t) + "' is ignored");
                }
            }
            return name;
        }

        List<String> configuration(Node node) {
            if (!(node instanceof MappingNode m)) {
                error(node, "'configuration' must be a mapping");
                return List.of();
            }
            List<String> copy = new ArrayList<>();
            for (NodeTuple t : tuples(m)) {
                switch (key(t)) {
                    case "templates" -> templates(t.getValueNode());
                    case "copy" -> {
                        for (Map.Entry<Node, String> e : stringList(t.getValueNode(), "configuration.copy").entrySet()) {
                            repoPath(e.getKey(), e.getValue(), "configuration.copy", true).ifPresent(copy::add);
                        }
                    }
                    default -> warn(t.getKeyNode(), "unknown key 'configuration." + key(t) + "' is ignored");
                }
            }
            return copy;
        }

        /**
         * faas-cli's {@code configuration.templates} ({@code - name: golang-middleware, source: <git URL>#<commit>}). A source
         * pinned to a commit is fetched by the builder (see {@link TemplateRepositories}); a name that is built in needs no
         * fetch, so an unpinned source is only a warning there, while a foreign name's source must be pinned: a branch
         * would make two builds of one commit use different templates.
         */
        void templates(Node node) {
            if (!(node instanceof SequenceNode seq)) {
                error(node, "'configuration.templates' must be a list of {name, source}");
                return;
            }
            for (Node item : seq.getValue()) {
                if (!(item instanceof MappingNode m)) {
                    error(item, "a configuration.templates entry must be a mapping with 'name' and 'source'");
                    continue;
                }
                String templateName = null;
                String source = "";
                Node sourceNode = item;
                for (NodeTuple t : tuples(m)) {
                    switch (key(t)) {
                        case "name" -> templateName = scalar(t.getValueNode(), "configuration.templates name").orElse(null);
                        case "source" -> {
                            sourceNode = t.getValueNode();
                            source = scalar(sourceNode, "configuration.templates source").orElse("").strip();
                        }
                        default -> warn(t.getKeyNode(), "unknown key '" + key(t) + "' in configuration.templates is ignored");
                    }
                }
                if (templateName == null) {
                    error(item, "a configuration.templates entry needs a 'name'");
                    continue;
                }
                boolean builtIn = catalog.find(templateName).isPresent();
                int hash = source.lastIndexOf('#');
                String url = hash < 0 ? source : source.substring(0, hash);
                String ref = hash < 0 ? "" : source.substring(hash + 1);
                boolean pinned = COMMIT.matcher(ref).matches();
                String where = "configuration.templates '" + templateName + "': ";
                if (!builtIn) {
                    foreignTemplates.put(templateName, file + ":" + (item.getStartMark().getLine() + 1));
                }
                if (source.isEmpty()) {
                    warn(item, builtIn
                            ? where + "built in; Driftless uses its own " + templateName + " template"
                            : where + "no source, and the OpenFaaS template store is not reachable from Driftless; functions with lang: "
                                    + templateName + " fail");
                } else if (url.isBlank()) {
                    error(sourceNode, where + "source '" + source + "' has no repository URL");
                } else if (!pinned) {
                    String why = ref.isEmpty() ? "is not pinned to a commit" : "is pinned to '" + ref + "', which is not a commit (a branch or tag can move)";
                    if (builtIn) {
                        warn(sourceNode, where + "built in; Driftless uses its own, and " + url + " is not fetched because it " + why
                                + " (write " + url + "#<40-character commit> to have it fetched and checked)");
                    } else {
                        error(sourceNode, where + "source " + url + " " + why + "; write source: " + url
                                + "#<40-character commit> (git ls-remote " + url + " lists them) so every build of this commit uses the same template");
                    }
                } else {
                    Mark at = item.getStartMark();
                    templateSources.add(new StackFile.TemplateSource(templateName, Optional.of(url), Optional.of(ref.toLowerCase(Locale.ROOT)),
                            builtIn, at.getLine() + 1, at.getColumn() + 1));
                    continue;
                }
                Mark at = item.getStartMark();
                templateSources.add(new StackFile.TemplateSource(templateName, url.isBlank() ? Optional.empty() : Optional.of(url),
                        Optional.empty(), builtIn, at.getLine() + 1, at.getColumn() + 1));
            }
        }

        /** {@code build_options}: names the template defines (OpenFaaS's {@code template.yml}); checked by the builder. */
        List<StackFile.BuildOption> buildOptions(Node node) {
            List<StackFile.BuildOption> out = new ArrayList<>();
            for (Map.Entry<Node, String> e : stringList(node, "build_options").entrySet()) {
                Mark at = e.getKey().getStartMark();
                if (e.getValue().isBlank()) {
                    error(e.getKey(), "build_options entry is empty");
                } else {
                    out.add(new StackFile.BuildOption(e.getValue().strip(), at.getLine() + 1, at.getColumn() + 1));
                }
            }
            return out;
        }

        Optional<StackFile.Function> function(String name, Node nameNode, Node node) {
            if (!(node instanceof MappingNode m)) {
                error(node, "function '" + name + "' must be a mapping with 'lang' and 'handler'");
                return Optional.empty();
            }
            int errorsBefore = errorCount();
            String lang = null;
            String template = null;
            String handler = null;
            Optional<String> image = Optional.empty();
            Map<String, String> fileEnv = new LinkedHashMap<>();
            Map<String, String> env = new LinkedHashMap<>();
            List<String> secrets = List.of();
            Map<String, String> labels = Map.of();
            Map<String, String> annotations = Map.of();
            Map<String, String> buildArgs = Map.of();
            List<StackFile.BuildOption> buildOptions = new ArrayList<>();
            Node additional = null; // build_args.ADDITIONAL_PACKAGE, checked like a build option
            List<String> constraints = List.of();
            Resources limits = Resources.NONE;
            Resources requests = Resources.NONE;
            Node limitsNode = null;
            boolean readOnly = false;
            boolean skipBuild = false;
            Node langNode = null;
            Node handlerNode = null;
            StackProblem failure = null;
            Node timeoutNode = null;
            Map<Node, String> fileTimeout = new LinkedHashMap<>(); // environment_file entries that set exec_timeout
            for (NodeTuple t : tuples(m)) {
                String key = key(t);
                Node v = t.getValueNode();
                switch (key) {
                    case "lang" -> { langNode = v; lang = scalar(v, "lang").orElse(null); }
                    case "handler" -> { handlerNode = v; handler = scalar(v, "handler").orElse(null); }
                    case "image" -> image = scalar(v, "image");
                    case "environment" -> {
                        env.putAll(stringMap(v, "environment"));
                        timeoutNode = valueOf(v, ExecTimeout.VARIABLE).orElse(timeoutNode);
                    }
                    case "environment_file" -> {
                        for (Map.Entry<Node, String> e : stringList(v, "environment_file").entrySet()) {
                            repoPath(e.getKey(), e.getValue(), "environment_file", false).ifPresent(p -> {
                                Map<String, String> fromFile = environmentFile(e.getKey(), p);
                                if (fromFile.containsKey(ExecTimeout.VARIABLE)) {
                                    fileTimeout.put(e.getKey(), e.getValue());
                                }
                                fileEnv.putAll(fromFile);
                            });
                        }
                    }
                    case "secrets" -> secrets = List.copyOf(stringList(v, "secrets").values());
                    case "labels" -> labels = stringMap(v, "labels");
                    case "annotations" -> annotations = stringMap(v, "annotations");
                    case "limits" -> { limitsNode = v; limits = resources(v, "limits"); }
                    case "requests" -> requests = resources(v, "requests");
                    case "build_args" -> {
                        buildArgs = stringMap(v, "build_args");
                        additional = valueOf(v, StackFile.BuildOption.ADDITIONAL_PACKAGE).orElse(null);
                    }
                    case "build_options" -> buildOptions = new ArrayList<>(buildOptions(v));
                    case "constraints" -> constraints = List.copyOf(stringList(v, "constraints").values());
                    case "readonly_root_filesystem" -> readOnly = bool(v, key);
                    case "skip_build" -> skipBuild = bool(v, key);
                    default -> {
                        String why = IGNORED_FUNCTION_KEYS.get(key);
                        warn(t.getKeyNode(), why != null
                                ? "'" + key + "' is not supported and is ignored: " + why
                                : "unknown key '" + key + "' in function '" + name + "' is ignored");
                    }
                }
            }
            if (langNode == null) {
                error(node, "function '" + name + "' has no 'lang'");
            } else if (lang != null) {
                Optional<FunctionTemplate> t = catalog.find(lang);
                if (t.isEmpty()) {
                    failure = problem(langNode.getStartMark(), StackProblem.Severity.ERROR, lang.equals("dockerfile")
                            ? "lang 'dockerfile' is not supported: images are built from templates without a Docker daemon"
                                    + " (supported: " + String.join(", ", catalog.supported()) + ")"
                            : foreignTemplates.containsKey(lang)
                            ? "lang '" + lang + "' comes from configuration.templates (" + foreignTemplates.get(lang)
                                    + "), which Driftless cannot build (supported: " + String.join(", ", catalog.supported()) + ")"
                            : "unknown lang '" + lang + "' (supported: " + String.join(", ", catalog.supported()) + ")");
                    functionFailures.add(failure);
                } else {
                    template = t.get().name();
                }
            }
            String normalizedHandler = null;
            if (handlerNode == null) {
                error(node, "function '" + name + "' has no 'handler'");
            } else if (handler != null) {
                normalizedHandler = handler(handlerNode, handler).orElse(null);
            }
            if (limits.memory().isPresent() && requests.memory().isPresent() && requests.memory().get() > limits.memory().get()) {
                error(limitsNode, "requests.memory is above limits.memory");
            }
            if (limits.cpu().isPresent() && requests.cpu().isPresent() && requests.cpu().get() > limits.cpu().get()) {
                error(limitsNode, "requests.cpu is above limits.cpu");
            }
            String extraPackages = buildArgs.getOrDefault(StackFile.BuildOption.ADDITIONAL_PACKAGE, "").strip();
            if (additional != null && !extraPackages.isEmpty()) {
                Mark at = additional.getStartMark();
                buildOptions.add(new StackFile.BuildOption(StackFile.BuildOption.ADDITIONAL_PACKAGE,
                        List.of(extraPackages.split("[\\s,]+")), at.getLine() + 1, at.getColumn() + 1));
            }
            execTimeout(env, timeoutNode, fileEnv, fileTimeout);
            if (errorCount() > errorsBefore) {
                return Optional.empty();
            }
            Map<String, String> environment = new LinkedHashMap<>(fileEnv);
            environment.putAll(env); // explicit environment wins over environment_file, as in faas-cli
            Mark at = nameNode.getStartMark();
            return Optional.of(new StackFile.Function(name, lang, template, normalizedHandler, image, environment, secrets,
                    labels, annotations, limits.memory(), requests.memory(), limits.cpu(), requests.cpu(), buildArgs,
                    buildOptions, constraints, readOnly, skipBuild, Optional.ofNullable(failure), at.getLine() + 1, at.getColumn() + 1));
        }

        /** exec_timeout as the gateway will read it: the explicit environment's, else the last environment file's. */
        void execTimeout(Map<String, String> env, Node timeoutNode, Map<String, String> fileEnv, Map<Node, String> fileTimeout) {
            if (env.containsKey(ExecTimeout.VARIABLE)) {
                ExecTimeout.problem(env.get(ExecTimeout.VARIABLE)).ifPresent(why -> error(timeoutNode, why));
            } else if (fileEnv.containsKey(ExecTimeout.VARIABLE) && !fileTimeout.isEmpty()) {
                Map.Entry<Node, String> last = List.copyOf(fileTimeout.entrySet()).get(fileTimeout.size() - 1);
                String value = fileEnv.get(ExecTimeout.VARIABLE);
                ExecTimeout.problem(value, " (from " + last.getValue() + ")").ifPresent(why -> error(last.getKey(), why));
            }
        }

        /** The value node of {@code key} in a mapping, for problems about one entry. */
        static Optional<Node> valueOf(Node mapping, String key) {
            if (mapping instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                        return Optional.of(t.getValueNode());
                    }
                }
            }
            return Optional.empty();
        }

        Optional<String> handler(Node node, String raw) {
            Optional<String> rel = repoPath(node, raw, "handler", true);
            if (rel.isPresent() && rel.get().isEmpty()) {
                error(node, "handler '" + raw + "' is the repository root; give the function its own folder");
                return Optional.empty();
            }
            return rel;
        }

        /** A path inside the repository that exists: a folder when {@code folder}, else a regular file. */
        Optional<String> repoPath(Node node, String raw, String what, boolean folder) {
            RepoPaths.Result r = RepoPaths.normalize(raw);
            if (r.path().isEmpty()) {
                error(node, what + ": " + r.refusal());
                return Optional.empty();
            }
            String rel = r.path().get();
            try {
                Optional<Path> real = RepoPaths.existingInside(realRoot, rel);
                if (real.isEmpty()) {
                    error(node, what + " " + (folder ? "folder" : "file") + " '" + raw + "' does not exist in the repository");
                    return Optional.empty();
                }
                if (folder != Files.isDirectory(real.get())) {
                    error(node, what + " '" + raw + "' must be a " + (folder ? "folder" : "file"));
                    return Optional.empty();
                }
            } catch (IOException e) {
                error(node, what + ": " + e.getMessage());
                return Optional.empty();
            }
            return Optional.of(rel);
        }

        Map<String, String> environmentFile(Node at, String rel) {
            Path path = realRoot.resolve(rel);
            String text;
            try {
                if (Files.size(path) > MAX_STACK_FILE_BYTES) {
                    error(at, "environment_file '" + rel + "' is larger than 1 MiB");
                    return Map.of();
                }
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                error(at, "environment_file '" + rel + "' cannot be read");
                return Map.of();
            }
            String outer = currentFile;
            currentFile = rel;
            try {
                Node root = compose(text);
                if (!(root instanceof MappingNode m)) {
                    error(root, "an environment file must be a mapping with 'environment'");
                    return Map.of();
                }
                Map<String, String> env = new LinkedHashMap<>();
                for (NodeTuple t : tuples(m)) {
                    if (key(t).equals("environment")) {
                        env.putAll(stringMap(t.getValueNode(), "environment"));
                    } else {
                        warn(t.getKeyNode(), "unknown key '" + key(t) + "' in environment file is ignored");
                    }
                }
                return env;
            } catch (MarkedYAMLException e) {
                problems.add(problem(e.getProblemMark(), StackProblem.Severity.ERROR, "not valid YAML: " + e.getProblem()));
                return Map.of();
            } catch (YAMLException e) {
                problems.add(problem(null, StackProblem.Severity.ERROR, "not valid YAML: " + e.getMessage()));
                return Map.of();
            } finally {
                currentFile = outer;
            }
        }

        Resources resources(Node node, String what) {
            if (!(node instanceof MappingNode m)) {
                error(node, "'" + what + "' must be a mapping with 'memory' and/or 'cpu'");
                return Resources.NONE;
            }
            Optional<Long> memory = Optional.empty();
            Optional<Long> cpu = Optional.empty();
            for (NodeTuple t : tuples(m)) {
                Node v = t.getValueNode();
                switch (key(t)) {
                    case "memory" -> {
                        Optional<String> text = scalar(v, what + ".memory");
                        if (text.isEmpty()) break;
                        long bytes = Quantities.memoryBytes(text.get());
                        if (bytes <= 0) {
                            error(v, what + ".memory '" + text.get() + "' is not a memory size like 128Mi or 1G");
                        } else if (bytes > maxMemoryBytes) {
                            error(v, what + ".memory " + text.get() + " is above the operator's cap of " + bytes(maxMemoryBytes));
                        } else {
                            memory = Optional.of(bytes);
                        }
                    }
                    case "cpu" -> {
                        Optional<String> text = scalar(v, what + ".cpu");
                        if (text.isEmpty()) break;
                        long millis = Quantities.cpuMillis(text.get());
                        if (millis <= 0) {
                            error(v, what + ".cpu '" + text.get() + "' is not a cpu amount like 100m or 0.5");
                        } else if (millis > maxCpuMillis) {
                            error(v, what + ".cpu " + text.get() + " is above the operator's cap of " + maxCpuMillis + "m");
                        } else {
                            cpu = Optional.of(millis);
                        }
                    }
                    default -> warn(t.getKeyNode(), "unknown key '" + what + "." + key(t) + "' is ignored (known: memory, cpu)");
                }
            }
            return new Resources(memory, cpu);
        }

        boolean bool(Node node, String what) {
            Optional<String> text = scalar(node, what);
            if (text.isEmpty()) {
                return false;
            }
            switch (text.get().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> { return true; }
                case "false", "no", "off", "" -> { return false; }
                default -> {
                    error(node, what + " must be true or false, got '" + text.get() + "'");
                    return false;
                }
            }
        }

        Optional<String> scalar(Node node, String what) {
            if (!(node instanceof ScalarNode s)) {
                error(node, what + " must be a single value");
                return Optional.empty();
            }
            return Optional.of(vars.expand(s.getValue(), unset -> warn(node, "variable '" + unset + "' is not set; it expands to an empty value")));
        }

        Map<String, String> stringMap(Node node, String what) {
            if (node instanceof ScalarNode s && s.getValue().isEmpty()) {
                return Map.of(); // "environment:" with nothing under it
            }
            if (!(node instanceof MappingNode m)) {
                error(node, what + " must be a mapping of names to values");
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (NodeTuple t : tuples(m)) {
                if (!(t.getKeyNode() instanceof ScalarNode)) {
                    error(t.getKeyNode(), what + " names must be strings");
                    continue;
                }
                scalar(t.getValueNode(), what + "." + key(t)).ifPresent(v -> out.put(key(t), v));
            }
            return out;
        }

        /** The values with their nodes, in order; a single value is taken as a list of one, as faas-cli does not. */
        Map<Node, String> stringList(Node node, String what) {
            Map<Node, String> out = new LinkedHashMap<>();
            if (node instanceof ScalarNode s && s.getValue().isEmpty()) {
                return out;
            }
            if (!(node instanceof SequenceNode seq)) {
                error(node, what + " must be a list");
                return out;
            }
            for (Node item : seq.getValue()) {
                scalar(item, what + " entry").ifPresent(v -> out.put(item, v));
            }
            return out;
        }

        int errorCount() {
            return (int) problems.stream().filter(p -> p.severity() == StackProblem.Severity.ERROR).count();
        }
    }

    /** Mapping entries with YAML merge keys ({@code <<: *defaults}) flattened; explicit keys win. */
    static List<NodeTuple> tuples(MappingNode m) {
        List<NodeTuple> own = new ArrayList<>();
        List<NodeTuple> merged = new ArrayList<>();
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("<<")) {
                Node v = t.getValueNode();
                if (v instanceof MappingNode mm) {
                    merged.addAll(tuples(mm));
                } else if (v instanceof SequenceNode seq) {
                    for (Node item : seq.getValue()) {
                        if (item instanceof MappingNode mm) merged.addAll(tuples(mm));
                    }
                }
            } else {
                own.add(t);
            }
        }
        if (merged.isEmpty()) {
            return own;
        }
        Set<String> ownKeys = new java.util.HashSet<>();
        own.forEach(t -> ownKeys.add(key(t)));
        List<NodeTuple> all = new ArrayList<>(own);
        for (NodeTuple t : merged) {
            if (ownKeys.add(key(t))) all.add(t);
        }
        return all;
    }

    static String key(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }

    private static String bytes(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + "Gi";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + "Mi";
        return bytes + " bytes";
    }

    private record Resources(Optional<Long> memory, Optional<Long> cpu) {
        static final Resources NONE = new Resources(Optional.empty(), Optional.empty());
    }
}
