package dev.driftless.builder;

import dev.driftless.templates.FunctionTemplate;
import dev.driftless.templates.Templates;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link Builder} needs, validated once. Made with {@link #builder()}; {@link Builder#build()}
 * reports every missing or wrong field in one error, as Jib's {@code BuildContext} does.
 *
 * <pre>{@code
 * BuilderConfig config = BuilderConfig.builder()
 *         .workRoot(data.resolve("work"))
 *         .cacheRoot(data.resolve("build-cache"))
 *         .localImageStore(data.resolve("images"))     // or .registry("127.0.0.1:5000", true)
 *         .build();                                    // templates default to Templates.builtIn()
 * }</pre>
 */
public final class BuilderConfig {

    /** Where images go: a registry, or the local image store (an OCI image layout folder). */
    public sealed interface Target permits RegistryTarget, LocalStoreTarget { }

    /** A registry at {@code host:port}; plain HTTP is allowed only when {@code insecure}. */
    public record RegistryTarget(String hostPort, boolean insecure) implements Target { }

    /** A folder under the data folder that holds images as an OCI image layout. */
    public record LocalStoreTarget(Path folder) implements Target { }

    /** Which base the images get. */
    public enum BaseMode {
        /** A small base made on this machine (passwd/group for uid 10001, /tmp, /home/app); the runtime binds the host's language runtimes. */
        EMBEDDED,
        /** Each template's {@link FunctionTemplate#clusterBaseImage()} (or the configured override), pulled from its registry. */
        CLUSTER
    }

    private final Path workRoot;
    private final Path cacheRoot;
    private final Target target;
    private final List<FunctionTemplate> templates;
    private final BaseMode baseMode;
    private final Map<String, String> clusterBaseImages;
    private final boolean insecureBaseRegistries;
    private final RegistryCredentials registryCredentials;
    private final long maxRepoBytes;
    private final int maxFiles;
    private final int maxFunctions;
    private final Duration checkoutTimeout;
    private final Duration testTimeout;
    private final long maxMemoryBytes;
    private final long maxCpuMillis;
    private final int maxLogBytesPerFunction;
    private final List<String> stackFileNames;
    private final boolean localTemplateSources;

    private BuilderConfig(Builder b) {
        this.workRoot = b.workRoot.toAbsolutePath().normalize();
        this.cacheRoot = b.cacheRoot.toAbsolutePath().normalize();
        this.target = b.target instanceof LocalStoreTarget local
                ? new LocalStoreTarget(local.folder().toAbsolutePath().normalize()) : b.target;
        this.templates = List.copyOf(b.templates);
        this.baseMode = b.baseMode;
        this.clusterBaseImages = Map.copyOf(b.clusterBaseImages);
        this.insecureBaseRegistries = b.insecureBaseRegistries;
        this.registryCredentials = b.registryCredentials;
        this.maxRepoBytes = b.maxRepoBytes;
        this.maxFiles = b.maxFiles;
        this.maxFunctions = b.maxFunctions;
        this.checkoutTimeout = b.checkoutTimeout;
        this.testTimeout = b.testTimeout;
        this.maxMemoryBytes = b.maxMemoryBytes;
        this.maxCpuMillis = b.maxCpuMillis;
        this.maxLogBytesPerFunction = b.maxLogBytesPerFunction;
        this.stackFileNames = List.copyOf(b.stackFileNames);
        this.localTemplateSources = b.localTemplateSources;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Parent of the per-build workspaces (each build gets a fresh folder, removed afterwards). */
    public Path workRoot() { return workRoot; }

    /** Folder of the build cache index. */
    public Path cacheRoot() { return cacheRoot; }

    public Target target() { return target; }

    public List<FunctionTemplate> templates() { return templates; }

    public BaseMode baseMode() { return baseMode; }

    /** Overrides of {@link FunctionTemplate#clusterBaseImage()} by template name. */
    public Map<String, String> clusterBaseImages() { return clusterBaseImages; }

    public boolean insecureBaseRegistries() { return insecureBaseRegistries; }

    /** How pushes, base image pulls and reads log in to registries. */
    public RegistryCredentials registryCredentials() { return registryCredentials; }

    public long maxRepoBytes() { return maxRepoBytes; }

    public int maxFiles() { return maxFiles; }

    public int maxFunctions() { return maxFunctions; }

    public Duration checkoutTimeout() { return checkoutTimeout; }

    public Duration testTimeout() { return testTimeout; }

    public long maxMemoryBytes() { return maxMemoryBytes; }

    public long maxCpuMillis() { return maxCpuMillis; }

    public int maxLogBytesPerFunction() { return maxLogBytesPerFunction; }

    public List<String> stackFileNames() { return stackFileNames; }

    /**
     * Whether {@code configuration.templates} may name {@code file:} URLs or paths on the daemon's machine. Off by
     * default: a stack.yml must not read the daemon's disk (other owners' repositories live there); tests turn it on.
     */
    public boolean localTemplateSources() { return localTemplateSources; }

    /** The base image a template's functions get when {@link BaseMode#CLUSTER}. */
    Optional<String> clusterBaseImage(FunctionTemplate template) {
        String override = clusterBaseImages.get(template.name());
        return Optional.ofNullable(override != null ? override : template.clusterBaseImage());
    }

    /** Mutable, unchecked until {@link #build()}. */
    public static final class Builder {
        private Path workRoot;
        private Path cacheRoot;
        private Target target;
        private List<FunctionTemplate> templates;
        private BaseMode baseMode = BaseMode.EMBEDDED;
        private final Map<String, String> clusterBaseImages = new LinkedHashMap<>();
        private boolean insecureBaseRegistries;
        private RegistryCredentials registryCredentials = RegistryCredentials.standard();
        private long maxRepoBytes = 200L * 1024 * 1024;
        private int maxFiles = 10_000;
        private int maxFunctions = 50;
        private Duration checkoutTimeout = Duration.ofMinutes(2);
        private boolean localTemplateSources;
        private Duration testTimeout = Duration.ofMinutes(5);
        private long maxMemoryBytes = 2L * 1024 * 1024 * 1024;
        private long maxCpuMillis = 2_000;
        private int maxLogBytesPerFunction = 1024 * 1024;
        private List<String> stackFileNames = List.of("stack.yml", "stack.yaml");

        private Builder() { }

        public Builder workRoot(Path workRoot) { this.workRoot = workRoot; return this; }

        public Builder cacheRoot(Path cacheRoot) { this.cacheRoot = cacheRoot; return this; }

        /** Push to a registry at {@code host:port}; {@code insecure} allows plain HTTP. Replaces any target set before. */
        public Builder registry(String hostPort, boolean insecure) {
            this.target = new RegistryTarget(hostPort, insecure);
            return this;
        }

        /** Keep images in an OCI image layout folder (the embedded default). Replaces any target set before. */
        public Builder localImageStore(Path folder) {
            this.target = new LocalStoreTarget(folder);
            return this;
        }

        /** The templates functions may use, by name and aliases; default {@code Templates.builtIn().all()}. */
        public Builder templates(List<? extends FunctionTemplate> templates) {
            this.templates = List.copyOf(templates);
            return this;
        }

        public Builder baseMode(BaseMode mode) { this.baseMode = mode; return this; }

        /** Overrides a template's cluster base image, e.g. {@code ("java17", "registry.example/jre:17")}. */
        public Builder clusterBaseImage(String template, String image) {
            clusterBaseImages.put(template, image);
            return this;
        }

        /** Allows pulling cluster base images over plain HTTP (a local mirror). */
        public Builder insecureBaseRegistries(boolean insecure) { this.insecureBaseRegistries = insecure; return this; }

        /** Registry logins (default: the Docker config at its usual place, as Jib reads it). */
        public Builder registryCredentials(RegistryCredentials credentials) {
            this.registryCredentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        public Builder maxRepoBytes(long bytes) { this.maxRepoBytes = bytes; return this; }

        public Builder maxFiles(int files) { this.maxFiles = files; return this; }

        public Builder maxFunctions(int functions) { this.maxFunctions = functions; return this; }

        public Builder checkoutTimeout(Duration timeout) { this.checkoutTimeout = timeout; return this; }

        public Builder testTimeout(Duration timeout) { this.testTimeout = timeout; return this; }

        /** The operator's cap on any function's {@code limits.memory}/{@code requests.memory}. */
        public Builder maxMemoryBytes(long bytes) { this.maxMemoryBytes = bytes; return this; }

        /** The operator's cap on any function's cpu, in millicores. */
        public Builder maxCpuMillis(long millis) { this.maxCpuMillis = millis; return this; }

        public Builder maxLogBytesPerFunction(int bytes) { this.maxLogBytesPerFunction = bytes; return this; }

        /** File names tried in order at the repository root; default {@code stack.yml}, {@code stack.yaml}. */
        public Builder localTemplateSources(boolean allowed) { this.localTemplateSources = allowed; return this; }

        public Builder stackFileNames(List<String> names) { this.stackFileNames = List.copyOf(names); return this; }

        /** Validates every field and reports all problems in one {@link IllegalStateException}. */
        public BuilderConfig build() {
            List<String> missing = new ArrayList<>();
            List<String> wrong = new ArrayList<>();
            if (workRoot == null) missing.add("workRoot");
            if (cacheRoot == null) missing.add("cacheRoot");
            if (target == null) missing.add("target (registry or localImageStore)");
            if (templates != null && templates.isEmpty()) wrong.add("templates must not be empty (leave unset for the built-in ones)");
            if (target instanceof RegistryTarget r && (r.hostPort() == null || !r.hostPort().matches("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?"))) {
                wrong.add("registry must be host[:port], got '" + r.hostPort() + "'");
            }
            if (target instanceof LocalStoreTarget l && l.folder() == null) missing.add("localImageStore folder");
            if (maxRepoBytes <= 0) wrong.add("maxRepoBytes must be positive");
            if (maxFiles <= 0) wrong.add("maxFiles must be positive");
            if (maxFunctions <= 0) wrong.add("maxFunctions must be positive");
            if (checkoutTimeout == null || checkoutTimeout.isNegative() || checkoutTimeout.isZero()) wrong.add("checkoutTimeout must be positive");
            if (testTimeout == null || testTimeout.isNegative() || testTimeout.isZero()) wrong.add("testTimeout must be positive");
            if (maxMemoryBytes <= 0) wrong.add("maxMemoryBytes must be positive");
            if (maxCpuMillis <= 0) wrong.add("maxCpuMillis must be positive");
            if (maxLogBytesPerFunction < 1024) wrong.add("maxLogBytesPerFunction must be at least 1024");
            if (stackFileNames.isEmpty() || stackFileNames.stream().anyMatch(n -> n.isBlank() || n.contains("/") || n.contains(".."))) {
                wrong.add("stackFileNames must be plain file names");
            }
            if (!missing.isEmpty() || !wrong.isEmpty()) {
                List<String> all = new ArrayList<>();
                if (!missing.isEmpty()) all.add("missing: " + String.join(", ", missing));
                all.addAll(wrong);
                throw new IllegalStateException("builder configuration is incomplete: " + String.join("; ", all));
            }
            Objects.requireNonNull(baseMode, "baseMode");
            if (templates == null) {
                templates = Templates.builtIn().all();
            }
            return new BuilderConfig(this);
        }
    }
}
