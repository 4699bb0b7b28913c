package dev.driftless.reconciler.config;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import dev.driftless.gateway.GatewayConfig;
import dev.driftless.gateway.RateLimit;
import dev.driftless.gateway.SiteArea;
import dev.driftless.gateway.TrustedProxies;
import dev.driftless.reconciler.config.DriftlessConfig.RuntimeKind;
import dev.driftless.runtime.kubernetes.KubernetesRuntimeConfig;
import dev.driftless.reconciler.config.DriftlessConfig.StatusMode;
import dev.driftless.reconciler.github.StoredGitHubApp;
import dev.driftless.templates.FunctionTemplate;
import dev.driftless.templates.Templates;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Loads {@link DriftlessConfig}: the YAML file (optional) first, then environment variables, which win.
 * Every malformed or missing value fails with a {@link ConfigException} naming the setting and where it
 * came from, e.g. {@code DRIFTLESS_HTTP_PORT: not a port number: 'abc'}. Unknown YAML keys fail too
 * (a typo must not silently fall back to a default). Secret values never appear in a message.
 */
public final class ConfigLoader {
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.-]+(?::\\d{1,5})?");
    private static final Set<Setting> SECRETS = Set.of(
            Setting.GITHUB_WEBHOOK_SECRET, Setting.GITHUB_WEBHOOK_SECRET_PREVIOUS, Setting.DB_PASSWORD, Setting.GITHUB_TOKEN,
            Setting.GITHUB_OAUTH_CLIENT_SECRET, Setting.REGISTRY_PASSWORD);

    private final Map<String, String> env;
    private final Path serviceAccountNamespace;

    public ConfigLoader(Map<String, String> env) {
        this(env, KubernetesRuntimeConfig.SERVICE_ACCOUNT_NAMESPACE);
    }

    /** With the file naming the pod's namespace (the gateway's namespace defaults to it). */
    public ConfigLoader(Map<String, String> env, Path serviceAccountNamespace) {
        this.env = Map.copyOf(env);
        this.serviceAccountNamespace = serviceAccountNamespace;
    }

    public static ConfigLoader fromSystemEnvironment() {
        return new ConfigLoader(System.getenv());
    }

    /** Loads with the YAML file at {@code file} (when present) under the environment. */
    public DriftlessConfig load(Optional<Path> file) {
        Map<Setting, Raw> raw = new LinkedHashMap<>();
        file.ifPresent(path -> readYaml(path).forEach((setting, value) ->
                raw.put(setting, new Raw(value, setting.yamlKey() + " (" + path.getFileName() + ")"))));
        for (Setting setting : Setting.values()) {
            String value = env.get(setting.env());
            if (value != null) {
                raw.put(setting, new Raw(value, setting.env()));
            }
        }
        return new Parser(raw, serviceAccountNamespace).config();
    }

    private record Raw(String value, String source) { }

    private static Map<Setting, String> readYaml(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("--config: no such file: " + path);
        }
        Object document;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new ConfigException("--config: cannot read " + path + ": " + e.getMessage());
        } catch (YAMLException e) {
            throw new ConfigException("--config: " + path + " is not valid YAML: " + e.getMessage());
        }
        Map<Setting, String> values = new LinkedHashMap<>();
        if (document == null) {
            return values;
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new ConfigException("--config: " + path + " must be a mapping of settings");
        }
        flatten("", map, values, path);
        return values;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<Setting, String> into, Path path) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = prefix + entry.getKey();
            Object value = entry.getValue();
            Setting setting = Setting.byYamlKey(key);
            if (setting == null && value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, into, path);
                continue;
            }
            if (setting == null) {
                throw new ConfigException(key + " (" + path.getFileName() + "): unknown setting; known: "
                        + Arrays.stream(Setting.values()).map(Setting::yamlKey).collect(Collectors.joining(", ")));
            }
            if (value instanceof List<?> list) {
                into.put(setting, list.stream().map(String::valueOf).collect(Collectors.joining(",")));
            } else if (value instanceof Map<?, ?>) {
                throw new ConfigException(key + " (" + path.getFileName() + "): expected a value, not a mapping");
            } else {
                into.put(setting, value == null ? "" : String.valueOf(value));
            }
        }
    }

    /** Parses the merged raw values, one setting at a time, each error naming its source. */
    private static final class Parser {
        private final Map<Setting, Raw> raw;
        private final Path serviceAccountNamespace;

        Parser(Map<Setting, Raw> raw, Path serviceAccountNamespace) {
            this.raw = raw;
            this.serviceAccountNamespace = serviceAccountNamespace;
        }

        DriftlessConfig config() {
            Path data = get(Setting.DATA, Path::of).orElse(Path.of("./.driftless"));
            Optional<Long> appId = get(Setting.GITHUB_APP_ID, ConfigLoader::positiveLong);
            Optional<Path> appKey = get(Setting.GITHUB_APP_KEY_FILE, ConfigLoader::readableFile);
            Optional<Secret> webhookSecret = get(Setting.GITHUB_WEBHOOK_SECRET, Secret::of);
            Optional<Secret> webhookSecretPrevious = get(Setting.GITHUB_WEBHOOK_SECRET_PREVIOUS, Secret::of);
            Optional<String> oauthId = get(Setting.GITHUB_OAUTH_CLIENT_ID, s -> s);
            Optional<Secret> oauthSecret = get(Setting.GITHUB_OAUTH_CLIENT_SECRET, Secret::of);
            // The App 'driftless github app-manifest' created fills in whatever is not set explicitly.
            Optional<StoredGitHubApp> stored = storedApp(data);
            if (stored.isPresent() && appId.isEmpty() && appKey.isEmpty() && get(Setting.GITHUB_TOKEN, s -> s).isEmpty()) {
                appId = Optional.of(stored.get().id());
                appKey = Optional.of(stored.get().keyFile());
            }
            if (stored.isPresent() && webhookSecret.isEmpty()) {
                webhookSecret = stored.get().webhookSecret().map(Secret::of);
            }
            if (stored.isPresent() && oauthId.isEmpty() && oauthSecret.isEmpty()
                    && stored.get().clientId().isPresent() && stored.get().clientSecret().isPresent()) {
                oauthId = stored.get().clientId();
                oauthSecret = stored.get().clientSecret().map(Secret::of);
            }
            if (webhookSecretPrevious.isPresent() && webhookSecret.isEmpty()) {
                throw new ConfigException(source(Setting.GITHUB_WEBHOOK_SECRET_PREVIOUS)
                        + ": a previous webhook secret needs the current one (DRIFTLESS_GITHUB_WEBHOOK_SECRET)");
            }
            if (webhookSecretPrevious.isPresent() && webhookSecretPrevious.get().matches(webhookSecret.get().reveal())) {
                throw new ConfigException(source(Setting.GITHUB_WEBHOOK_SECRET_PREVIOUS)
                        + ": is the same as the current webhook secret; set the new secret as DRIFTLESS_GITHUB_WEBHOOK_SECRET");
            }
            Optional<Path> cert = get(Setting.TLS_CERT_FILE, ConfigLoader::readableFile);
            Optional<Path> key = get(Setting.TLS_KEY_FILE, ConfigLoader::readableFile);
            requireTogether(Setting.GITHUB_APP_ID, appId, Setting.GITHUB_APP_KEY_FILE, appKey);
            requireTogether(Setting.TLS_CERT_FILE, cert, Setting.TLS_KEY_FILE, key);
            StatusMode statusMode = get(Setting.STATUS_MODE, s -> ConfigLoader.oneOf(s, StatusMode.class))
                    .orElse(StatusMode.STATUSES);
            if (statusMode == StatusMode.CHECKS && appId.isEmpty()) {
                throw new ConfigException(source(Setting.STATUS_MODE)
                        + ": checks need a GitHub App (set DRIFTLESS_GITHUB_APP_ID and DRIFTLESS_GITHUB_APP_KEY_FILE)");
            }
            if (oauthId.isPresent() != oauthSecret.isPresent()) {
                Setting missing = oauthId.isPresent() ? Setting.GITHUB_OAUTH_CLIENT_SECRET : Setting.GITHUB_OAUTH_CLIENT_ID;
                throw new ConfigException(missing.env() + ": GitHub sign-in needs both the OAuth client id and secret");
            }
            Optional<String> registryUser = get(Setting.REGISTRY_USERNAME, s -> s);
            Optional<Secret> registryPassword = get(Setting.REGISTRY_PASSWORD, Secret::of);
            requireTogether(Setting.REGISTRY_USERNAME, registryUser, Setting.REGISTRY_PASSWORD, registryPassword);
            if (registryUser.isPresent() && get(Setting.REGISTRY, s -> s).isEmpty()) {
                throw new ConfigException(Setting.REGISTRY.env() + ": missing; it is required when "
                        + Setting.REGISTRY_USERNAME.env() + " is set (the login is for that registry only)");
            }
            return new DriftlessConfig(
                    data,
                    get(Setting.HTTP_PORT, ConfigLoader::port).orElse(8080),
                    get(Setting.HTTPS_PORT, ConfigLoader::port).orElse(8443),
                    get(Setting.DOMAIN, ConfigLoader::domain).orElse("localhost"),
                    webhookSecret,
                    webhookSecretPrevious,
                    get(Setting.DB_URL, ConfigLoader::jdbcUrl).orElseGet(() -> DriftlessConfig.defaultDbUrl(data)),
                    get(Setting.DB_USER, s -> s),
                    get(Setting.DB_PASSWORD, Secret::of),
                    get(Setting.WEBHOOK_MAX_BODY, ConfigLoader::positiveBytes).orElse(25L << 20),
                    get(Setting.WEBHOOK_GROUP_COMMIT, ConfigLoader::bool).orElse(true),
                    get(Setting.TRACKED_BRANCH, ConfigLoader::branch),
                    get(Setting.REGISTRY, ConfigLoader::hostPort),
                    get(Setting.REGISTRY_INSECURE, ConfigLoader::bool).orElse(false),
                    get(Setting.RUNTIME, s -> ConfigLoader.oneOf(s, RuntimeKind.class)).orElse(RuntimeKind.LOCAL),
                    get(Setting.RESYNC_INTERVAL, ConfigLoader::positiveDuration).orElse(Duration.ofMinutes(5)),
                    get(Setting.WORKERS, ConfigLoader::workers).orElse(2),
                    get(Setting.GITHUB_API_URL, ConfigLoader::httpUrl).orElse(URI.create("https://api.github.com")),
                    appId,
                    appKey,
                    get(Setting.GITHUB_TOKEN, Secret::of),
                    statusMode,
                    get(Setting.ALLOWED_OWNERS, ConfigLoader::owners).orElse(Set.of()),
                    cert,
                    key,
                    get(Setting.PUBLIC_HTTPS_PORT, ConfigLoader::port),
                    get(Setting.GITHUB_WEB_URL, ConfigLoader::httpUrl).orElse(URI.create("https://github.com")),
                    oauthId,
                    oauthSecret,
                    get(Setting.CLUSTER_BASE_IMAGES, ConfigLoader::baseImages).orElse(Map.of()),
                    get(Setting.TRUSTED_PROXIES, ConfigLoader::cidrRanges).orElse(List.of()),
                    clientLimits(),
                    registryUser,
                    registryPassword,
                    get(Setting.REGISTRY_CONFIG, ConfigLoader::readableFile),
                    kubernetes(),
                    get(Setting.SECRETS_KEY_FILE, Path::of),
                    get(Setting.SEALING_KEY_FILE, Path::of),
                    get(Setting.AUDIT_RETENTION, ConfigLoader::retention).orElse(Duration.ofDays(90)),
                    get(Setting.JAVA_STANDBY, ConfigLoader::bool).orElse(true),
                    get(Setting.SCALE_TO_ZERO, ConfigLoader::bool).orElse(false),
                    get(Setting.SCALE_TO_ZERO_IDLE, ConfigLoader::positiveDuration).orElse(Duration.ofMinutes(15)),
                    get(Setting.WAKE_TIMEOUT, ConfigLoader::positiveDuration).orElse(Duration.ofSeconds(30)),
                    get(Setting.FUNCTION_EGRESS, s -> ConfigLoader.oneOf(s, dev.driftless.runtime.local.Egress.class))
                            .orElse(dev.driftless.runtime.local.Egress.ALLOW),
                    get(Setting.FUNCTION_NETWORK, s -> ConfigLoader.oneOf(s, dev.driftless.runtime.local.FunctionNetwork.class))
                            .orElse(dev.driftless.runtime.local.FunctionNetwork.ISOLATED),
                    new DriftlessConfig.Previews(get(Setting.PREVIEWS, ConfigLoader::bool).orElse(true),
                            get(Setting.PREVIEWS_PER_OWNER, ConfigLoader::positiveInt).orElse(5),
                            get(Setting.PREVIEWS_FROM_FORKS, ConfigLoader::bool).orElse(false),
                            get(Setting.PREVIEWS_COMMENT, ConfigLoader::bool).orElse(true)),
                    notifications());
        }

        /** The default notification target: a URL, and what describes it only with one. */
        private DriftlessConfig.Notifications notifications() {
            Optional<URI> url = get(Setting.NOTIFY_URL, ConfigLoader::httpUrl);
            Optional<String> format = get(Setting.NOTIFY_FORMAT, s -> {
                if (!s.equals("json") && !s.equals("slack")) {
                    throw new IllegalArgumentException("expected json|slack, got '" + s + "'");
                }
                return s;
            });
            Optional<Secret> secret = get(Setting.NOTIFY_SECRET, Secret::of);
            Optional<List<String>> events = get(Setting.NOTIFY_EVENTS, s -> {
                List<String> names = names(s);
                for (String name : names) {
                    if (dev.driftless.reconciler.reconcile.ReconcileEvent.Type.ofWireName(name).isEmpty()) {
                        throw new IllegalArgumentException("unknown event '" + name + "' (known: build.started, "
                                + "build.succeeded, build.failed, rollout.failed, rollback, prune)");
                    }
                }
                return names;
            });
            for (Setting needsUrl : List.of(Setting.NOTIFY_FORMAT, Setting.NOTIFY_SECRET, Setting.NOTIFY_EVENTS)) {
                boolean set = needsUrl == Setting.NOTIFY_FORMAT ? format.isPresent()
                        : needsUrl == Setting.NOTIFY_SECRET ? secret.isPresent() : events.isPresent();
                if (set && url.isEmpty()) {
                    throw new ConfigException(source(needsUrl) + ": needs " + Setting.NOTIFY_URL.env());
                }
            }
            if (secret.isPresent() && format.orElse("json").equals("slack")) {
                throw new ConfigException(source(Setting.NOTIFY_SECRET)
                        + ": Slack messages are not signed; a secret applies to DRIFTLESS_NOTIFY_FORMAT=json");
            }
            return new DriftlessConfig.Notifications(url, format.orElse("json"), secret, events.orElse(List.of()),
                    get(Setting.NOTIFY_TIMEOUT, ConfigLoader::positiveDuration).orElse(Duration.ofSeconds(10)));
        }

        /** Every knob of the Kubernetes runtime; the record checks them together. */
        private KubernetesRuntimeConfig kubernetes() {
            KubernetesRuntimeConfig defaults = KubernetesRuntimeConfig.defaults();
            KubernetesRuntimeConfig.Builder k = defaults.toBuilder()
                    .imagePullSecrets(get(Setting.K8S_IMAGE_PULL_SECRETS, ConfigLoader::names).orElse(List.of()))
                    .replicas(get(Setting.K8S_REPLICAS, ConfigLoader::positiveInt).orElse(defaults.replicas()))
                    .memory(get(Setting.K8S_MEMORY_REQUEST, ConfigLoader::memory).orElse(defaults.defaultMemoryRequestBytes()),
                            get(Setting.K8S_MEMORY_LIMIT, ConfigLoader::memory).orElse(defaults.defaultMemoryLimitBytes()),
                            get(Setting.K8S_MAX_MEMORY, ConfigLoader::memory).orElse(defaults.maxMemoryBytes()))
                    .cpu(get(Setting.K8S_CPU_REQUEST, ConfigLoader::cpuMillis).orElse(defaults.defaultCpuRequestMillis()),
                            get(Setting.K8S_CPU_LIMIT, ConfigLoader::cpuMillis).orElse(defaults.defaultCpuLimitMillis()),
                            get(Setting.K8S_MAX_CPU, ConfigLoader::cpuMillis).orElse(defaults.maxCpuMillis()))
                    .nodeSelector(get(Setting.K8S_NODE_SELECTOR, ConfigLoader::labels).orElse(Map.of()))
                    .tolerations(get(Setting.K8S_TOLERATIONS, ConfigLoader::tolerations).orElse(List.of()))
                    .gatewayNamespace(get(Setting.K8S_GATEWAY_NAMESPACE, ConfigLoader::dnsLabel)
                            .orElseGet(() -> KubernetesRuntimeConfig.ownNamespace(serviceAccountNamespace)))
                    .gatewayPodLabels(get(Setting.K8S_GATEWAY_POD_LABELS, ConfigLoader::labels).orElse(defaults.gatewayPodLabels()))
                    .namespacePrefix(get(Setting.K8S_NAMESPACE_PREFIX, s -> s).orElse(defaults.namespacePrefix()))
                    .rollout(get(Setting.K8S_PROGRESS_DEADLINE, ConfigLoader::positiveDuration)
                                    .map(d -> (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toSeconds())))
                                    .orElse(defaults.progressDeadlineSeconds()),
                            get(Setting.K8S_ROLLOUT_TIMEOUT, ConfigLoader::positiveDuration).orElse(defaults.rolloutTimeout()),
                            get(Setting.K8S_POLL_INTERVAL, ConfigLoader::positiveDuration).orElse(defaults.pollInterval()))
                    .labelPrefix(get(Setting.K8S_LABEL_PREFIX, s -> s).orElse(defaults.labelPrefix()));
            try {
                return k.build();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("DRIFTLESS_K8S_*: " + e.getMessage());
            }
        }

        private DriftlessConfig.ClientLimits clientLimits() {
            Map<SiteArea, RateLimit> defaults = GatewayConfig.defaultSiteLimits();
            Map<SiteArea, RateLimit> site = new EnumMap<>(SiteArea.class);
            site.put(SiteArea.LOGIN, limit(Setting.LOGIN_RATE_LIMIT, Setting.LOGIN_RATE_BURST, defaults.get(SiteArea.LOGIN)));
            site.put(SiteArea.DASHBOARD, limit(Setting.DASHBOARD_RATE_LIMIT, Setting.DASHBOARD_RATE_BURST,
                    defaults.get(SiteArea.DASHBOARD)));
            site.put(SiteArea.GIT, limit(Setting.GIT_RATE_LIMIT, Setting.GIT_RATE_BURST, defaults.get(SiteArea.GIT)));
            return new DriftlessConfig.ClientLimits(
                    limit(Setting.RATE_LIMIT, Setting.RATE_BURST, GatewayConfig.DEFAULT_CLIENT_LIMIT), site);
        }

        private RateLimit limit(Setting rate, Setting burst, RateLimit defaults) {
            return new RateLimit(get(rate, ConfigLoader::positiveInt).orElse(defaults.perMinute()),
                    get(burst, ConfigLoader::positiveInt).orElse(defaults.burst()));
        }

        private static Optional<StoredGitHubApp> storedApp(Path data) {
            try {
                return StoredGitHubApp.read(data);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }

        /** The parsed value; empty when unset or set to the empty string (= use the default). */
        private <T> Optional<T> get(Setting setting, Function<String, T> parse) {
            Raw value = raw.get(setting);
            if (value == null || value.value().isBlank()) {
                return Optional.empty();
            }
            try {
                return Optional.of(parse.apply(value.value().trim()));
            } catch (IllegalArgumentException e) {
                // Secrets are never echoed back, not even malformed ones.
                String message = SECRETS.contains(setting) ? "invalid secret" : e.getMessage();
                throw new ConfigException(value.source() + ": " + message);
            }
        }

        private String source(Setting setting) {
            Raw value = raw.get(setting);
            return value == null ? setting.env() : value.source();
        }

        private void requireTogether(Setting a, Optional<?> va, Setting b, Optional<?> vb) {
            if (va.isPresent() != vb.isPresent()) {
                Setting missing = va.isPresent() ? b : a;
                Setting given = va.isPresent() ? a : b;
                throw new ConfigException(missing.env() + ": missing; it is required when " + given.env() + " is set");
            }
        }
    }

    static int port(String s) {
        try {
            int port = Integer.parseInt(s);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not a port number: '" + s + "'");
    }

    static int workers(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 0 && n <= 256) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not a number of workers (0..256): '" + s + "'");
    }

    static int positiveInt(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not a positive number: '" + s + "'");
    }

    /** {@code 64Mi}, {@code 1Gi} (as Kubernetes writes them) or {@code 64MiB}, {@code 512KiB}. */
    static long memory(String s) {
        String text = s.matches("\\d+[KMGT]i") ? s + "B" : s;
        return positiveBytes(text);
    }

    /** Millicores from {@code 50m}, {@code 0.5} or {@code 2}, as Kubernetes writes cpu. */
    static long cpuMillis(String s) {
        try {
            if (s.matches("\\d{1,7}m")) {
                return Long.parseLong(s.substring(0, s.length() - 1));
            }
            if (s.matches("\\d{1,4}(\\.\\d{1,3})?")) {
                return new java.math.BigDecimal(s).movePointRight(3).longValueExact();
            }
        } catch (ArithmeticException | NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not a cpu quantity (e.g. 50m, 0.5, 2): '" + s + "'");
    }

    static List<String> names(String s) {
        List<String> names = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                names.add(part.trim());
            }
        }
        return names;
    }

    /** {@code key=value} pairs, comma-separated. */
    static Map<String, String> labels(String s) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String part : names(s)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected label=value, got '" + part + "'");
            }
            labels.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        return labels;
    }

    static List<KubernetesRuntimeConfig.Toleration> tolerations(String s) {
        return names(s).stream().map(KubernetesRuntimeConfig.Toleration::parse).toList();
    }

    static String dnsLabel(String s) {
        if (!s.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("not a namespace name: '" + s + "'");
        }
        return s;
    }

    static long positiveLong(String s) {
        try {
            long n = Long.parseLong(s);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not a positive number: '" + s + "'");
    }

    static long positiveBytes(String s) {
        long n = Quantities.bytes(s);
        if (n <= 0) {
            throw new IllegalArgumentException("must be more than 0 bytes: '" + s + "'");
        }
        return n;
    }

    static Duration positiveDuration(String s) {
        Duration d = Quantities.duration(s);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be longer than 0: '" + s + "'");
        }
        return d;
    }

    /** Audit retention: at least an hour (the pruning period), e.g. {@code 90d}. */
    static Duration retention(String s) {
        Duration d = Quantities.duration(s);
        if (d.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("must be at least 1h: '" + s + "'");
        }
        return d;
    }

    static boolean bool(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("not a boolean (true/false): '" + s + "'");
        };
    }

    static <E extends Enum<E>> E oneOf(String s, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(s)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("expected one of " + Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("|")) + ", got '" + s + "'");
    }

    static String domain(String s) {
        if (!s.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("not a domain name: '" + s + "'");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    static String jdbcUrl(String s) {
        if (!s.startsWith("jdbc:h2:") && !s.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a supported JDBC URL (jdbc:h2:… or jdbc:postgresql:…)");
        }
        return s;
    }

    static String branch(String s) {
        if (s.startsWith("refs/") || s.contains("..") || s.contains(" ") || s.endsWith("/")) {
            throw new IllegalArgumentException("not a branch name (e.g. main): '" + s + "'");
        }
        return s;
    }

    static String hostPort(String s) {
        if (!HOST_PORT.matcher(s).matches()) {
            throw new IllegalArgumentException("not host:port: '" + s + "'");
        }
        int colon = s.lastIndexOf(':');
        if (colon > 0) {
            port(s.substring(colon + 1));
        }
        return s;
    }

    static URI httpUrl(String s) {
        try {
            URI uri = new URI(s);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not an http(s) URL: '" + s + "'");
    }

    static Path readableFile(String s) {
        Path path = Path.of(s);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException("no readable file at '" + s + "'");
        }
        return path;
    }

    static Set<String> owners(String s) {
        Set<String> owners = new LinkedHashSet<>();
        for (String part : s.split(",")) {
            String owner = part.trim();
            if (owner.isEmpty()) {
                continue;
            }
            if (!OWNER.matcher(owner).matches()) {
                throw new IllegalArgumentException("not a GitHub owner name: '" + owner + "'");
            }
            owners.add(owner);
        }
        return owners;
    }

    /** {@code template=image} pairs, comma-separated; templates must exist, images must be valid references. */
    static Map<String, String> baseImages(String s) {
        Set<String> templates = Templates.builtIn().all().stream().map(FunctionTemplate::name)
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, String> images = new LinkedHashMap<>();
        for (String part : s.split(",")) {
            String pair = part.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected template=image, got '" + pair + "'");
            }
            String template = pair.substring(0, eq).trim();
            String image = pair.substring(eq + 1).trim();
            if (!templates.contains(template)) {
                throw new IllegalArgumentException("unknown template '" + template + "' (known: "
                        + String.join(", ", templates) + ")");
            }
            try {
                ImageReference.parse(image);
            } catch (InvalidImageReferenceException e) {
                throw new IllegalArgumentException("not an image reference for " + template + ": '" + image + "'");
            }
            if (images.put(template, image) != null) {
                throw new IllegalArgumentException("template '" + template + "' given twice");
            }
        }
        return images;
    }

    /** Comma-separated CIDR ranges (or single addresses), parsed here so that a typo stops the start. */
    static List<TrustedProxies.Range> cidrRanges(String s) {
        List<TrustedProxies.Range> ranges = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                ranges.add(TrustedProxies.Range.parse(part));
            }
        }
        return ranges;
    }
}
