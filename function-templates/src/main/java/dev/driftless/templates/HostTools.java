package dev.driftless.templates;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.time.Duration;
import java.util.List;

/**
 * Where the build tools live on this machine, found once from the daemon's own environment, and the
 * small environment every forked tool gets instead of the daemon's.
 *
 * @param javaHome       the JDK that runs the daemon (its javac and java compile and test Java handlers)
 * @param mavenRepository the local Maven repository shared with the daemon (dependency cache)
 * @param npmCache       npm's download cache, shared between builds
 */
record HostTools(Path javaHome, Path mavenRepository, Path npmCache) {

    /** PATH inside images: the Temurin image's java, then the usual places (python:slim and node:slim use /usr/local/bin). */
    static final String IMAGE_PATH = "/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";

    static HostTools fromEnvironment() {
        Path home = Path.of(System.getProperty("user.home"));
        String repo = System.getProperty("maven.repo.local");
        return new HostTools(
                Path.of(System.getProperty("java.home")),
                repo != null && !repo.isBlank() ? Path.of(repo) : home.resolve(".m2/repository"),
                home.resolve(".npm"));
    }

    Path javac() throws TemplateException {
        Path javac = javaHome.resolve("bin/javac");
        if (Files.isExecutable(javac)) {
            return javac;
        }
        return onPath("javac").orElseThrow(() -> new TemplateException("javac not found: the daemon must run on a JDK (java.home=" + javaHome + ")"));
    }

    Path java() {
        return javaHome.resolve("bin/java");
    }

    Path mvn() throws TemplateException {
        return onPath("mvn").orElseThrow(() -> new TemplateException("mvn not found on PATH: java17 functions resolve their dependencies with Maven"));
    }

    Path node() throws TemplateException {
        return onPath("node").orElseThrow(() -> new TemplateException("node not found on PATH: node20 functions need Node.js 20 on the build host"));
    }

    /** The Go toolchain (Debian's golang-go): builds go and golang-middleware functions into static binaries. */
    Path go() throws TemplateException {
        return onPath("go").orElseThrow(() -> new TemplateException("go not found on PATH: go functions need the Go toolchain on the build host (Debian: golang-go)"));
    }

    Path gofmt() throws TemplateException {
        return onPath("gofmt").orElseThrow(() -> new TemplateException("gofmt not found on PATH: it comes with the Go toolchain (Debian: golang-go)"));
    }

    /**
     * Go's build cache, shared between builds like npm's download cache: without it every build compiles
     * the standard library again (a minute and more). Content-addressed by Go itself.
     */
    /**
     * Where the java17 build JVM's class-data archive and its stable class path live ({@code BuildJvmArchive}),
     * beside Go's cache: host-wide, keyed by JDK and driver, holding no function's code.
     */
    Path javaBuildCache() {
        return npmCache.resolveSibling(".cache").resolve("driftless-java17-build-jvm");
    }

    Path goBuildCache() {
        return npmCache.resolveSibling(".cache").resolve("driftless-go-build");
    }

    Path ruby() throws TemplateException {
        return onPath("ruby").orElseThrow(() -> new TemplateException("ruby not found on PATH: ruby functions need Ruby on the build host (Debian: ruby, ruby-webrick)"));
    }

    /** Bundler's command: {@code bundle}, or Debian's versioned {@code bundle3.1}. */
    Path bundle() throws TemplateException {
        for (String name : List.of("bundle", "bundle3.3", "bundle3.2", "bundle3.1")) {
            Optional<Path> found = onPath(name);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new TemplateException("bundle not found on PATH: ruby functions with a Gemfile need Bundler (Debian: ruby)");
    }

    /** Mono's C# compiler and runtime (Debian: mono-mcs, mono-runtime): the csharp template. */
    Path mcs() throws TemplateException {
        return onPath("mcs").orElseThrow(() -> new TemplateException("mcs not found on PATH: csharp functions need Mono's compiler (Debian: mono-mcs)"));
    }

    Path mono() throws TemplateException {
        return onPath("mono").orElseThrow(() -> new TemplateException("mono not found on PATH: csharp functions need Mono (Debian: mono-runtime)"));
    }

    Path npm() throws TemplateException {
        return onPath("npm").orElseThrow(() -> new TemplateException("npm not found on PATH: node20 functions need npm on the build host"));
    }

    /**
     * The real python3 interpreter. Version managers put shell shims on PATH that need their own
     * environment, so the shim is asked once where it points; no user code runs in that query, so it
     * may see the daemon's environment.
     */
    Path python3() throws TemplateException {
        Path candidate = onPath("python3").orElseThrow(() -> new TemplateException("python3 not found on PATH: python3 functions need Python 3 on the build host"));
        return PYTHON.computeIfAbsent(candidate, HostTools::realInterpreter);
    }

    private static final Map<Path, Path> PYTHON = new java.util.concurrent.ConcurrentHashMap<>();

    private static Path realInterpreter(Path candidate) {
        try {
            // The one fork that keeps the daemon's environment: a shim needs its own variables (PYENV_ROOT …),
            // and only the interpreter's path is asked, no user code runs.
            ForkedProcess.Result result = new ForkedProcess("python3 lookup", List.of(candidate.toString(), "-c", "import sys; print(sys.executable)"),
                    Path.of(System.getProperty("java.io.tmpdir")), System.getenv(), Duration.ofSeconds(20)).run(BuildLog.discard());
            String out = result.tail().isEmpty() ? "" : result.tail().get(result.tail().size() - 1).trim();
            if (result.exitCode() == 0 && !out.isEmpty() && Files.isExecutable(Path.of(out))) {
                return Path.of(out);
            }
        } catch (TemplateException e) {
            // fall through: use the candidate as it is
        }
        return candidate;
    }

    /** The whole environment of a forked tool: PATH with the given tools' folders first, HOME, LANG, and the extras given. */
    Map<String, String> environment(Path home, Map<String, String> extra, Path... tools) {
        Set<String> path = new LinkedHashSet<>();
        for (Path tool : tools) {
            path.add(tool.getParent().toString());
        }
        path.add(SYSTEM_PATH);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", String.join(":", path));
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.putAll(extra);
        return env;
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? SYSTEM_PATH : path + ":" + SYSTEM_PATH).split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
