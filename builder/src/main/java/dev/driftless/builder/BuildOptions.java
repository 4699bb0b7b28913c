package dev.driftless.builder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * OpenFaaS {@code build_options}: names a template defines in its {@code template.yml}, each a list of (Alpine) packages
 * the Dockerfile installs with {@code apk add}. Driftless installs nothing during a build: an option is honoured when
 * every package it maps to is already installed on the build machine (Debian, so names are mapped), and fails its
 * function otherwise, naming the option, its line and the missing packages. The packages serve the build (compilers for
 * native pip modules, say); they are not copied into the image.
 */
final class BuildOptions {
    /**
     * The {@code build_options} of OpenFaaS's own templates ({@code openfaas/templates} and {@code python-flask-template}
     * template.yml), for functions whose template is not fetched from a {@code configuration.templates} source.
     */
    static final Map<String, Map<String, List<String>>> OPENFAAS_TEMPLATES = Map.of(
            "python3", Map.of("dev", List.of("make", "automake", "gcc", "g++", "subversion", "python3-dev", "musl-dev", "libffi-dev", "git")),
            "python3-http", Map.of("dev", List.of("make", "automake", "gcc", "g++", "subversion", "python3-dev", "musl-dev", "libffi-dev", "git")));

    /** Alpine package names that Debian spells differently; the others are the same on both. */
    static final Map<String, String> ALPINE_TO_DEBIAN = Map.of(
            "musl-dev", "libc6-dev",
            "build-base", "build-essential",
            "openssl-dev", "libssl-dev",
            "linux-headers", "linux-libc-dev",
            "zlib-dev", "zlib1g-dev",
            "jpeg-dev", "libjpeg-dev",
            "postgresql-dev", "libpq-dev");

    /** Which packages are not installed; the real one asks dpkg. */
    interface PackageProbe {
        Set<String> missing(List<String> packages) throws IOException, InterruptedException;
    }

    private final PackageProbe probe;

    BuildOptions(PackageProbe probe) {
        this.probe = probe;
    }

    /**
     * Checks one function's options.
     *
     * @param defined the options of its template: from the fetched template.yml, else OpenFaaS's own, else none
     * @return the problem that fails the function, if any; {@code log} gets what was honoured
     */
    Optional<StackProblem> check(String file, StackFile.Function fn, Map<String, List<String>> defined, java.util.function.Consumer<String> log)
            throws InterruptedException {
        for (StackFile.BuildOption option : fn.buildOptions()) {
            List<String> packages = option.additionalPackages() ? option.packages() : defined.get(option.name());
            if (packages == null) {
                return Optional.of(problem(file, option, "build_options '" + option.name() + "' is not defined by template " + fn.template()
                        + (defined.isEmpty() ? ", which defines no build_options" : " (it defines: " + String.join(", ", defined.keySet().stream().sorted().toList()) + ")")));
            }
            List<String> debian = debianNames(packages);
            Set<String> missing;
            try {
                missing = debian.isEmpty() ? Set.of() : probe.missing(debian);
            } catch (IOException e) {
                return Optional.of(problem(file, option, option.described() + ": cannot check the build machine's packages: " + e.getMessage()));
            }
            if (!missing.isEmpty()) {
                return Optional.of(problem(file, option, option.described() + " needs the Debian packages " + String.join(", ", missing)
                        + ", which are not installed on the build machine; Driftless installs no packages during a build"
                        + " (the operator can: apt-get install " + String.join(" ", missing) + ")"));
            }
            log.accept(option.described() + ": " + (debian.isEmpty() ? "no packages" : "the Debian packages " + String.join(", ", debian)
                    + " are installed on the build machine") + " (they serve the build and are not added to the image)");
        }
        return Optional.empty();
    }

    static List<String> debianNames(List<String> alpine) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : alpine) {
            out.add(ALPINE_TO_DEBIAN.getOrDefault(name, name));
        }
        return List.copyOf(out);
    }

    private static StackProblem problem(String file, StackFile.BuildOption option, String message) {
        return new StackProblem(file, option.line(), option.column(), StackProblem.Severity.ERROR, message);
    }

    /** {@code dpkg-query}: a package counts as present when its status is {@code installed}. */
    static PackageProbe dpkg() {
        return packages -> {
            for (String p : packages) {
                if (!p.matches("[a-z0-9][a-z0-9+.-]*")) {
                    throw new IOException("'" + p + "' is not a package name");
                }
            }
            List<String> command = new ArrayList<>(List.of("dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n"));
            command.addAll(packages);
            Process process;
            try {
                process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new IOException("dpkg-query is not available (" + e.getMessage() + ")", e);
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("dpkg-query took longer than 30 s");
            }
            Set<String> installed = new java.util.HashSet<>();
            for (String line : out.split("\n")) {
                String[] parts = line.strip().split(" ");
                if (parts.length == 2 && parts[1].equals("installed")) {
                    installed.add(parts[0].replaceFirst(":.*$", "")); // multi-arch names print as gcc:amd64 on some systems
                }
            }
            Set<String> missing = new LinkedHashSet<>(packages);
            missing.removeAll(installed);
            return missing;
        };
    }
}
