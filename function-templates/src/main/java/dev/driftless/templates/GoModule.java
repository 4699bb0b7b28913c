package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Makes a go handler folder (a copy of it) a Go module that builds offline with {@code -mod=vendor}.
 *
 * <p>With its own {@code go.mod} the folder is used as it is. Without one (GOPATH-era functions, dep's
 * {@code Gopkg.toml}/{@code Gopkg.lock}, as the OpenFaaS classic go template accepts), a {@code go.mod}
 * for {@code module handler/function} is written, as the OpenFaaS template's own go.mod names it, that
 * requires every vendored module; {@code vendor/modules.txt} is written to match (marking each module
 * {@code ## explicit}, which Go's consistency check wants) from the existing modules.txt, else from
 * {@code Gopkg.lock}, else from the folders under {@code vendor/}.
 *
 * @param modulePath   the module path the entrypoint imports
 * @param synthesized  whether go.mod was written here (the log says so)
 * @param vendored     whether a vendor folder is used ({@code -mod=vendor})
 * @param modules      vendored modules, path to version, for the log
 */
record GoModule(String modulePath, boolean synthesized, boolean vendored, Map<String, String> modules) {
    static final String DEFAULT_MODULE = "handler/function";
    /** dep and GOPATH vendoring carry no versions: any valid version works as long as go.mod and modules.txt agree. */
    static final String UNVERSIONED = "v0.0.0-00010101000000-000000000000";
    private static final Pattern MODULE_LINE = Pattern.compile("(?m)^\\s*module\\s+\"?([^\\s\"]+)\"?\\s*$");
    private static final Pattern MODULES_TXT_MODULE = Pattern.compile("^# (\\S+) (\\S+)(.*)$");

    GoModule {
        modules = Map.copyOf(modules);
    }

    static GoModule prepare(Path root, String goVersion) throws TemplateException {
        try {
            Path goMod = root.resolve("go.mod");
            Path vendor = root.resolve("vendor");
            boolean vendored = Files.isDirectory(vendor);
            if (Files.isRegularFile(goMod)) {
                String text = Files.readString(goMod, StandardCharsets.UTF_8);
                Matcher m = MODULE_LINE.matcher(text);
                if (!m.find()) {
                    throw new TemplateException("go.mod has no module line");
                }
                Map<String, String> modules = vendored && Files.isRegularFile(vendor.resolve("modules.txt"))
                        ? readModulesTxt(vendor.resolve("modules.txt")) : Map.of();
                return new GoModule(m.group(1), false, vendored, modules);
            }
            Map<String, String> modules = new LinkedHashMap<>();
            if (vendored) {
                modules.putAll(writeModulesTxt(root, vendor));
            }
            StringBuilder mod = new StringBuilder("module " + DEFAULT_MODULE + "\n\ngo " + goVersion + "\n");
            if (!modules.isEmpty()) {
                mod.append("\nrequire (\n");
                modules.forEach((path, version) -> mod.append('\t').append(path).append(' ').append(version).append('\n'));
                mod.append(")\n");
            }
            Files.writeString(goMod, mod.toString(), StandardCharsets.UTF_8);
            return new GoModule(DEFAULT_MODULE, true, vendored, modules);
        } catch (IOException e) {
            throw new TemplateException("could not prepare the Go module: " + e.getMessage(), e);
        }
    }

    /** Module path to version of a {@code go mod vendor} modules.txt (replacements keep the required version). */
    static Map<String, String> readModulesTxt(Path modulesTxt) throws IOException {
        Map<String, String> modules = new LinkedHashMap<>();
        for (String line : Files.readAllLines(modulesTxt, StandardCharsets.UTF_8)) {
            Matcher m = MODULES_TXT_MODULE.matcher(line);
            if (m.matches() && !m.group(1).equals("=>")) {
                modules.put(m.group(1), m.group(2).equals("=>") ? UNVERSIONED : m.group(2));
            }
        }
        return modules;
    }

    private static Map<String, String> writeModulesTxt(Path root, Path vendor) throws IOException, TemplateException {
        Map<String, String> modules = new LinkedHashMap<>();
        Path modulesTxt = vendor.resolve("modules.txt");
        if (Files.isRegularFile(modulesTxt)) {
            modules.putAll(readModulesTxt(modulesTxt));
        } else if (Files.isRegularFile(root.resolve("Gopkg.lock"))) {
            for (String name : GopkgLock.projects(Files.readString(root.resolve("Gopkg.lock"), StandardCharsets.UTF_8))) {
                if (Files.isDirectory(vendor.resolve(name))) {
                    modules.put(name, UNVERSIONED);
                }
            }
        }
        // Vendored packages no module claims (GOPATH vendoring, an incomplete lock) get a module per repository root.
        for (String pkg : packages(vendor)) {
            if (modules.keySet().stream().noneMatch(module -> pkg.equals(module) || pkg.startsWith(module + "/"))) {
                modules.put(repositoryRoot(pkg), UNVERSIONED);
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> module : modules.entrySet()) {
            out.append("# ").append(module.getKey()).append(' ').append(module.getValue()).append('\n').append("## explicit\n");
            for (String pkg : packages(vendor)) {
                if (pkg.equals(module.getKey()) || pkg.startsWith(module.getKey() + "/")) {
                    out.append(pkg).append('\n');
                }
            }
        }
        Files.writeString(modulesTxt, out.toString(), StandardCharsets.UTF_8);
        return modules;
    }

    /** Import paths of the folders under vendor/ that hold .go files. */
    private static List<String> packages(Path vendor) throws IOException {
        TreeSet<String> packages = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(vendor)) {
            for (Path file : walk.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(".go")).toList()) {
                Path dir = vendor.relativize(file.getParent());
                if (dir.getNameCount() > 0 && !dir.toString().isEmpty()) {
                    packages.add(dir.toString().replace('\\', '/'));
                }
            }
        }
        return new ArrayList<>(packages);
    }

    /** {@code github.com/a/b/c} -> {@code github.com/a/b}; {@code gopkg.in/yaml.v2/x} -> {@code gopkg.in/yaml.v2}. */
    static String repositoryRoot(String pkg) {
        String[] parts = pkg.split("/");
        int keep = parts[0].equals("gopkg.in") ? 2 : parts[0].contains(".") ? 3 : 1;
        return String.join("/", java.util.Arrays.copyOf(parts, Math.min(keep, parts.length)));
    }

    /** The {@code [[projects]] name = "..."} entries of dep's Gopkg.lock (a TOML file; only this key is read). */
    static final class GopkgLock {
        private static final Pattern NAME = Pattern.compile("^\\s*name\\s*=\\s*\"([^\"]+)\"\\s*$");

        private GopkgLock() { }

        static List<String> projects(String toml) {
            List<String> names = new ArrayList<>();
            boolean inProject = false;
            for (String line : toml.split("\n")) {
                String trimmed = line.strip();
                if (trimmed.startsWith("[")) {
                    inProject = trimmed.equals("[[projects]]");
                    continue;
                }
                Matcher m = NAME.matcher(line);
                if (inProject && m.matches()) {
                    names.add(m.group(1));
                }
            }
            return names;
        }
    }

    Optional<String> describe() {
        if (!vendored) {
            return Optional.empty();
        }
        return Optional.of(String.join(", ", modules.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
    }
}
