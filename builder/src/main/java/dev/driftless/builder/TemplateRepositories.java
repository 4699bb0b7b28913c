package dev.driftless.builder;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code configuration.templates} repositories: each {@code <url>#<commit>} is fetched once with JGit (through
 * {@link GitCheckout}, so with the checkout's time and size limits and guards) into the build cache, keyed by URL and
 * commit, and read from there afterwards: a commit never changes, so the cache is never stale. Blocking: worker threads only.
 *
 * <p>A template repository holds {@code template/<name>/template.yml} (faas-cli's layout). A template whose name is
 * built in maps onto Driftless's own template, which implements the same contract; its {@code build_options} come
 * from its {@code template.yml}. Any other template builds with its Dockerfile, which Driftless does not run.
 */
final class TemplateRepositories {
    static final long MAX_TEMPLATE_YML_BYTES = 64 * 1024;
    private static final String MARKER = ".driftless-source";

    private final Path root;
    private final GitCheckout checkout;
    private final boolean localSources;

    TemplateRepositories(Path cacheRoot, GitCheckout checkout, boolean localSources) {
        this.root = cacheRoot.resolve("template-repositories");
        this.checkout = checkout;
        this.localSources = localSources;
    }

    /** What a fetched template is to Driftless. */
    sealed interface Resolved permits Mapped, Refused { }

    /** Built in under the same name: build with Driftless's template, with the repository's {@code build_options}. */
    record Mapped(String name, Map<String, List<String>> buildOptions) implements Resolved {
        Mapped {
            buildOptions = Map.copyOf(buildOptions);
        }
    }

    /** Not buildable here; {@code reason} says why, for the functions that use it. */
    record Refused(String reason) implements Resolved { }

    /**
     * Fetches (or finds in the cache) the pinned repository and reads {@code template/<name>}.
     *
     * @throws BuildException the repository cannot be fetched, the commit is not in it, or it has no such template
     */
    Resolved resolve(StackFile.TemplateSource source, List<String> supported, Consumer<String> log)
            throws BuildException, InterruptedException {
        String url = source.url().orElseThrow();
        String commit = source.commit().orElseThrow();
        String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")).toLowerCase(java.util.Locale.ROOT) : "";
        if (!scheme.equals("https") && !scheme.equals("http") && !localSources) {
            throw new BuildException("source " + GitCheckout.safeUrl(url) + " is not an https:// git URL (template repositories are"
                    + " fetched over HTTPS without credentials)");
        }
        Path repo = fetch(url, commit, log);
        Path folder = repo.resolve("template").resolve(source.name());
        if (!validName(source.name()) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildException("template '" + source.name() + "' is not in " + GitCheckout.safeUrl(url) + " at " + commit.substring(0, 12)
                    + " (it has " + listing(repo.resolve("template")) + ")");
        }
        Path templateYml = folder.resolve("template.yml");
        if (!Files.isRegularFile(templateYml, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildException("template/" + source.name() + " in " + GitCheckout.safeUrl(url) + " at " + commit.substring(0, 12)
                    + " has no template.yml, so it is not an OpenFaaS template");
        }
        Map<String, List<String>> options = buildOptions(templateYml, source.name());
        if (source.builtIn()) {
            log.accept("configuration.templates: " + source.name() + " from " + GitCheckout.safeUrl(url) + " at " + commit.substring(0, 12)
                    + " builds with Driftless's own " + source.name() + " template (same handler contract)"
                    + (options.isEmpty() ? "" : "; its build_options: " + String.join(", ", options.keySet())));
            return new Mapped(source.name(), options);
        }
        boolean dockerfile = Files.isRegularFile(folder.resolve("Dockerfile"), LinkOption.NOFOLLOW_LINKS);
        return new Refused("template " + source.name() + " from " + GitCheckout.safeUrl(url)
                + (dockerfile ? " uses a Dockerfile build, which Driftless does not run" : " is not one Driftless implements")
                + " (supported: " + String.join(", ", supported) + ")");
    }

    /** The repository's files at {@code commit}, from the cache or fetched now. */
    Path fetch(String url, String commit, Consumer<String> log) throws BuildException, InterruptedException {
        Path target = root.resolve(key(url, commit));
        if (Files.isRegularFile(target.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) { // written last, before the move
            log.accept("configuration.templates: " + GitCheckout.safeUrl(url) + " at " + commit.substring(0, 12) + " from the cache");
            return target;
        }
        Path temporary = root.resolve("tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(temporary);
            log.accept("configuration.templates: fetching " + GitCheckout.safeUrl(url) + " at " + commit.substring(0, 12));
            checkout.checkout(RepoSource.of(url), commit, temporary, log);
            Workspace.deleteTree(temporary.resolve(".git"));
            Files.writeString(temporary.resolve(MARKER), GitCheckout.safeUrl(url) + "#" + commit + "\n");
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException raced) {
                Workspace.deleteTree(temporary); // another build fetched the same commit first: same files
            }
            return target;
        } catch (IOException e) {
            throw new BuildException("cannot store template repository " + GitCheckout.safeUrl(url) + ": " + e.getMessage(), e);
        } finally {
            try {
                if (Files.exists(temporary, LinkOption.NOFOLLOW_LINKS)) {
                    Workspace.deleteTree(temporary);
                }
            } catch (IOException ignored) {
                // a leftover tmp- folder is removed with the cache; it is never read
            }
        }
    }

    /** faas-cli's {@code build_options: [{name, packages: [...]}]} from a template.yml. */
    static Map<String, List<String>> buildOptions(Path templateYml, String name) throws BuildException {
        String text;
        try {
            if (Files.size(templateYml) > MAX_TEMPLATE_YML_BYTES) {
                throw new BuildException("template/" + name + "/template.yml is larger than 64 KiB");
            }
            text = Files.readString(templateYml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildException("cannot read template/" + name + "/template.yml: " + e.getMessage(), e);
        }
        Node top;
        try {
            top = StackFileParser.compose(text);
        } catch (RuntimeException e) {
            throw new BuildException("template/" + name + "/template.yml is not valid YAML: " + e.getMessage(), e);
        }
        Map<String, List<String>> options = new LinkedHashMap<>();
        if (!(top instanceof MappingNode m)) {
            return options;
        }
        for (NodeTuple t : StackFileParser.tuples(m)) {
            if (!StackFileParser.key(t).equals("build_options") || !(t.getValueNode() instanceof SequenceNode seq)) {
                continue;
            }
            for (Node item : seq.getValue()) {
                if (!(item instanceof MappingNode option)) {
                    continue;
                }
                String optionName = null;
                List<String> packages = new ArrayList<>();
                for (NodeTuple o : option.getValue()) {
                    switch (StackFileParser.key(o)) {
                        case "name" -> optionName = o.getValueNode() instanceof ScalarNode s ? s.getValue() : null;
                        case "packages" -> {
                            if (o.getValueNode() instanceof SequenceNode list) {
                                list.getValue().stream().filter(ScalarNode.class::isInstance)
                                        .map(n -> ((ScalarNode) n).getValue().strip()).filter(v -> !v.isEmpty()).forEach(packages::add);
                            }
                        }
                        default -> { }
                    }
                }
                if (optionName != null && !optionName.isBlank()) {
                    options.put(optionName.strip(), List.copyOf(packages));
                }
            }
        }
        return options;
    }

    private static boolean validName(String name) {
        return name.matches("[A-Za-z0-9][A-Za-z0-9._-]*") && !name.contains("..");
    }

    private static String listing(Path templates) {
        if (!Files.isDirectory(templates, LinkOption.NOFOLLOW_LINKS)) {
            return "no template/ folder";
        }
        try (Stream<Path> s = Files.list(templates)) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "no templates under template/" : "template/: " + String.join(", ", names);
        } catch (IOException e) {
            return "an unreadable template/ folder";
        }
    }

    static String key(String url, String commit) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((url + "\n" + commit).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16) + "-" + commit.substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
