package dev.driftless.reconciler.config;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import dev.driftless.gateway.TrustedProxies;
import dev.driftless.reconciler.config.DriftlessConfig.RuntimeKind;
import dev.driftless.reconciler.config.DriftlessConfig.StatusMode;
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
            Setting.GITHUB_WEBHOOK_SECRET, Setting.DB_PASSWORD, Setting.GITHUB_TOKEN, Setting.GITHUB_OAUTH_CLIENT_SECRET);

    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
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
        return new Parser(raw).config();
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

        Parser(Map<Setting, Raw> raw) {
            this.raw = raw;
        }

        DriftlessConfig config() {
            Path data = get(Setting.DATA, Path::of).orElse(Path.of("./.driftless"));
            Optional<Long> appId = get(Setting.GITHUB_APP_ID, ConfigLoader::positiveLong);
            Optional<Path> appKey = get(Setting.GITHUB_APP_KEY_FILE, ConfigLoader::readableFile);
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
            Optional<String> oauthId = get(Setting.GITHUB_OAUTH_CLIENT_ID, s -> s);
            Optional<Secret> oauthSecret = get(Setting.GITHUB_OAUTH_CLIENT_SECRET, Secret::of);
            if (oauthId.isPresent() != oauthSecret.isPresent()) {
                Setting missing = oauthId.isPresent() ? Setting.GITHUB_OAUTH_CLIENT_SECRET : Setting.GITHUB_OAUTH_CLIENT_ID;
                throw new ConfigException(missing.env() + ": GitHub sign-in needs both the OAuth client id and secret");
            }
            return new DriftlessConfig(
                    data,
                    get(Setting.HTTP_PORT, ConfigLoader::port).orElse(8080),
                    get(Setting.HTTPS_PORT, ConfigLoader::port).orElse(8443),
                    get(Setting.DOMAIN, ConfigLoader::domain).orElse("localhost"),
                    get(Setting.GITHUB_WEBHOOK_SECRET, Secret::of),
                    get(Setting.DB_URL, ConfigLoader::jdbcUrl).orElseGet(() -> DriftlessConfig.defaultDbUrl(data)),
                    get(Setting.DB_USER, s -> s),
                    get(Setting.DB_PASSWORD, Secret::of),
                    get(Setting.WEBHOOK_MAX_BODY, ConfigLoader::positiveBytes).orElse(25L << 20),
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
                    get(Setting.FUNCTION_EGRESS, s -> ConfigLoader.oneOf(s, dev.driftless.runtime.local.Egress.class))
                            .orElse(dev.driftless.runtime.local.Egress.ALLOW));
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
