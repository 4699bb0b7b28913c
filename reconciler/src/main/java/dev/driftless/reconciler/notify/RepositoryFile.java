package dev.driftless.reconciler.notify;

import dev.driftless.builder.StackProblem;
import dev.driftless.reconciler.reconcile.PreviewSettings;
import dev.driftless.runtime.local.SecretValues;
import org.yaml.snakeyaml.DumperOptions;
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
import org.yaml.snakeyaml.representer.Representer;

import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A repository's {@code .driftless.yml}: its notification targets and preview switches. Every problem is reported
 * at once with file,
 * line and column, as stack.yml's are ({@code .driftless.yml:4:12: format must be json or slack, not 'xml'}).
 *
 * <pre>
 * notifications:
 *   - url: https://hooks.slack.com/services/T000/B000/XXXX
 *     format: slack                       # json (default) or slack
 *     events: [build.failed, rollout.failed]   # default: every event
 *   - url: https://ci.example.com/driftless
 *     secret: notify-signing              # json only: an owner secret (driftless secret create) that signs
 * previews:
 *   branches: true    # pushes of other branches to the built-in git endpoint get previews (default false)
 *   comment: false    # pull requests get no preview comment (default true); statuses still go out
 * </pre>
 */
public final class RepositoryFile {
    public static final String NAME = ".driftless.yml";
    public static final int MAX_BYTES = 64 * 1024;
    public static final int MAX_TARGETS = 10;

    /** What the file says, or what is wrong with it (errors: the file is not used; warnings: it is). */
    public record Parsed(List<NotificationTarget> targets, PreviewSettings.Switches previews, List<StackProblem> problems) {
        /** No {@code previews} key: the defaults. */
        public Parsed(List<NotificationTarget> targets, List<StackProblem> problems) {
            this(targets, PreviewSettings.Switches.DEFAULTS, problems);
        }

        public boolean valid() {
            return problems.stream().noneMatch(p -> p.severity() == StackProblem.Severity.ERROR);
        }
    }

    private final List<StackProblem> problems = new ArrayList<>();
    private PreviewSettings.Switches previews = PreviewSettings.Switches.DEFAULTS;

    private RepositoryFile() { }

    public static Parsed parse(String text) {
        RepositoryFile file = new RepositoryFile();
        List<NotificationTarget> targets = file.run(text);
        return new Parsed(List.copyOf(targets), file.previews, List.copyOf(file.problems));
    }

    private List<NotificationTarget> run(String text) {
        if (text.length() > MAX_BYTES) {
            error(null, "is larger than " + MAX_BYTES + " bytes");
            return List.of();
        }
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(20);
            options.setNestingDepthLimit(20);
            options.setCodePointLimit(MAX_BYTES);
            root = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(), options)
                    .compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            problems.add(problem(e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark(),
                    StackProblem.Severity.ERROR, "not valid YAML: " + e.getProblem()));
            return List.of();
        } catch (YAMLException | IllegalArgumentException e) {
            error(null, "not valid YAML: " + e.getMessage());
            return List.of();
        }
        if (root == null) {
            return List.of(); // an empty file: nothing configured
        }
        if (!(root instanceof MappingNode top)) {
            error(root, "must be a mapping (with 'notifications' and/or 'previews')");
            return List.of();
        }
        List<NotificationTarget> targets = new ArrayList<>();
        for (NodeTuple t : top.getValue()) {
            String key = key(t.getKeyNode());
            if ("notifications".equals(key)) {
                if (!(t.getValueNode() instanceof SequenceNode list)) {
                    error(t.getValueNode(), "notifications must be a list of targets (- url: …)");
                    continue;
                }
                if (list.getValue().size() > MAX_TARGETS) {
                    error(list, "at most " + MAX_TARGETS + " notification targets, not " + list.getValue().size());
                    continue;
                }
                for (Node entry : list.getValue()) {
                    target(entry).ifPresent(targets::add);
                }
            } else if ("previews".equals(key)) {
                previews(t.getValueNode());
            } else {
                warn(t.getKeyNode(), "unknown key '" + key + "' (ignored; known: notifications, previews)");
            }
        }
        return targets;
    }

    /** {@code previews: {branches: true|false, comment: true|false}}; a key left out keeps its default. */
    private void previews(Node value) {
        if (!(value instanceof MappingNode map)) {
            error(value, "previews must be a mapping, e.g. {branches: true, comment: false}");
            return;
        }
        boolean branches = PreviewSettings.Switches.DEFAULTS.branchPreviews();
        boolean comment = PreviewSettings.Switches.DEFAULTS.prComment();
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : map.getValue()) {
            String key = key(t.getKeyNode());
            if (!seen.add(key)) {
                error(t.getKeyNode(), "'" + key + "' is given twice");
                continue;
            }
            try {
                switch (key) {
                    case "branches" -> branches = bool(t.getValueNode(), "previews.branches");
                    case "comment" -> comment = bool(t.getValueNode(), "previews.comment");
                    default -> error(t.getKeyNode(), "unknown key '" + key + "' (known: branches, comment)");
                }
            } catch (IllegalArgumentException e) {
                error(t.getValueNode(), e.getMessage());
            }
        }
        previews = new PreviewSettings.Switches(branches, comment);
    }

    private static boolean bool(Node node, String what) {
        if (node instanceof ScalarNode s && (s.getValue().equals("true") || s.getValue().equals("false"))) {
            return Boolean.parseBoolean(s.getValue());
        }
        throw new IllegalArgumentException(what + " must be true or false, not '"
                + (node instanceof ScalarNode s ? s.getValue() : node.getNodeId()) + "'");
    }

    private Optional<NotificationTarget> target(Node entry) {
        if (!(entry instanceof MappingNode map)) {
            error(entry, "a notification target is a mapping with url, format, events, secret");
            return Optional.empty();
        }
        URI url = null;
        NotificationFormat format = NotificationFormat.JSON;
        Node formatNode = null;
        Set<dev.driftless.reconciler.reconcile.ReconcileEvent.Type> events = Set.of();
        Optional<String> secret = Optional.empty();
        Node secretNode = null;
        Set<String> seen = new HashSet<>();
        boolean ok = true;
        for (NodeTuple t : map.getValue()) {
            String key = key(t.getKeyNode());
            Node value = t.getValueNode();
            if (!seen.add(key)) {
                error(t.getKeyNode(), "'" + key + "' is given twice");
                ok = false;
                continue;
            }
            try {
                switch (key) {
                    case "url" -> url = NotificationTarget.url(scalar(value, "url"));
                    case "format" -> {
                        formatNode = value;
                        format = NotificationFormat.parse(scalar(value, "format"));
                    }
                    case "events" -> {
                        if (!(value instanceof SequenceNode list)) {
                            throw new IllegalArgumentException("events must be a list, e.g. [build.failed, rollout.failed]");
                        }
                        List<String> names = new ArrayList<>();
                        for (Node n : list.getValue()) {
                            names.add(scalar(n, "an event"));
                        }
                        events = NotificationTarget.events(names);
                    }
                    case "secret" -> {
                        secretNode = value;
                        String name = scalar(value, "secret");
                        if (!SecretValues.NAME.matcher(name).matches()) {
                            throw new IllegalArgumentException("secret names an owner secret: letters, digits, '.', '_', '-'");
                        }
                        secret = Optional.of(name);
                    }
                    default -> throw new IllegalArgumentException("unknown key '" + key
                            + "' (known: url, format, events, secret)");
                }
            } catch (IllegalArgumentException e) {
                error(key.equals("url") || key.equals("format") || key.equals("events") || key.equals("secret")
                        ? value : t.getKeyNode(), e.getMessage());
                ok = false;
            }
        }
        if (url == null && seen.contains("url") == false) {
            error(entry, "url is missing");
            ok = false;
        }
        if (secret.isPresent() && format == NotificationFormat.SLACK) {
            error(secretNode != null ? secretNode : formatNode, "secret applies to json targets; Slack does not verify signatures");
            ok = false;
        }
        if (!ok || url == null) {
            return Optional.empty();
        }
        return Optional.of(new NotificationTarget(url, format, events, secret.map(name -> "secret:" + name),
                NotificationTarget.Origin.REPOSITORY));
    }

    private String scalar(Node node, String what) {
        if (node instanceof ScalarNode s && !s.getValue().isBlank()) {
            return s.getValue().strip();
        }
        throw new IllegalArgumentException(what + " must be a non-empty text");
    }

    private static String key(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : String.valueOf(node);
    }

    private void error(Node at, String message) {
        problems.add(problem(at == null ? null : at.getStartMark(), StackProblem.Severity.ERROR, message));
    }

    private void warn(Node at, String message) {
        problems.add(problem(at == null ? null : at.getStartMark(), StackProblem.Severity.WARNING, message));
    }

    private static StackProblem problem(Mark mark, StackProblem.Severity severity, String message) {
        return new StackProblem(NAME, mark == null ? 1 : mark.getLine() + 1, mark == null ? 1 : mark.getColumn() + 1,
                severity, message);
    }
}
