package dev.driftless.reconciler.config;

import dev.driftless.gateway.RateLimit;
import dev.driftless.gateway.SiteArea;
import dev.driftless.gateway.TrustedProxies;
import dev.driftless.runtime.kubernetes.KubernetesRuntimeConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The daemon's whole configuration, typed and validated. Built by {@link ConfigLoader} from a YAML
 * file overridden by environment variables; each field is one {@link Setting}. Secrets are
 * {@link Secret}s, so printing this record prints {@code ***} for them.
 */
public record DriftlessConfig(
        Path data,
        int httpPort,
        int httpsPort,
        String domain,
        Optional<Secret> githubWebhookSecret,
        Optional<Secret> githubWebhookSecretPrevious,
        String dbUrl,
        Optional<String> dbUser,
        Optional<Secret> dbPassword,
        long webhookMaxBody,
        boolean webhookGroupCommit,
        Optional<String> trackedBranch,
        Optional<String> registry,
        boolean registryInsecure,
        RuntimeKind runtime,
        Duration resyncInterval,
        int workers,
        URI githubApiUrl,
        Optional<Long> githubAppId,
        Optional<Path> githubAppKeyFile,
        Optional<Secret> githubToken,
        StatusMode statusMode,
        Set<String> allowedOwners,
        Optional<Path> tlsCertFile,
        Optional<Path> tlsKeyFile,
        Optional<Integer> publicHttpsPort,
        URI githubWebUrl,
        Optional<String> githubOAuthClientId,
        Optional<Secret> githubOAuthClientSecret,
        Map<String, String> clusterBaseImages,
        List<TrustedProxies.Range> trustedProxies,
        ClientLimits clientLimits,
        Optional<String> registryUsername,
        Optional<Secret> registryPassword,
        Optional<Path> registryDockerConfig,
        KubernetesRuntimeConfig kubernetes,
        Optional<Path> secretsKeyFile,
        Optional<Path> sealingKeyFile,
        Duration auditRetention,
        boolean javaStandby,
        boolean scaleToZeroByDefault,
        Duration scaleToZeroIdle,
        Duration wakeTimeout,
        dev.driftless.runtime.local.Egress functionEgress,
        dev.driftless.runtime.local.FunctionNetwork functionNetwork,
        Previews previews,
        Notifications notifications) {

    /** The daemon's default notification target (every owner's), and the timeout of each request. */
    public record Notifications(Optional<URI> url, String format, Optional<Secret> secret, List<String> events,
                                Duration timeout) {
        public Notifications {
            events = List.copyOf(events);
        }
    }

    /**
     * Preview functions for pull requests: on or off, how many PRs per owner, whether forks are built, and whether
     * the PR gets the one comment listing its preview URLs.
     */
    public record Previews(boolean enabled, int perOwner, boolean fromForks, boolean comment) {
        public Previews {
            if (perOwner < 1) {
                throw new IllegalArgumentException("previews per owner must be at least 1");
            }
        }
    }

    public enum RuntimeKind { LOCAL, KUBERNETES }

    public enum StatusMode { STATUSES, CHECKS }

    /** Per-client limits on the HTTPS port: function requests, and each area of the site (login, dashboard, git). */
    public record ClientLimits(RateLimit functions, Map<SiteArea, RateLimit> site) {
        public ClientLimits {
            site = Map.copyOf(site);
        }
    }

    public DriftlessConfig {
        allowedOwners = Set.copyOf(allowedOwners);
        clusterBaseImages = Map.copyOf(clusterBaseImages);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** True when {@code owner}'s repositories are served ({@code allowedOwners} empty = everyone). */
    public boolean ownerAllowed(String owner) {
        return allowedOwners.isEmpty() || allowedOwners.contains(owner);
    }

    /** The branch reconciled for a repository whose default branch is {@code defaultBranch}. */
    public String trackedBranchFor(String defaultBranch) {
        return trackedBranch.orElse(defaultBranch);
    }

    /** The key ring of secrets at rest: the configured file or {@code <data>/keys/secret-keys}. */
    public Path secretKeysPath() {
        return secretsKeyFile.orElse(data.resolve("keys").resolve("secret-keys"));
    }

    /** The private key that opens sealed secrets: the configured file or {@code <data>/keys/sealing-key.pem}. */
    public Path sealingKeyPath() {
        return sealingKeyFile.orElse(data.resolve("keys").resolve("sealing-key.pem"));
    }

    public boolean isPostgres() {
        return dbUrl.startsWith("jdbc:postgresql:");
    }

    /** The default H2 file URL inside a data folder; AUTO_SERVER lets CLI commands (token create) use it while the daemon runs. */
    static String defaultDbUrl(Path data) {
        return "jdbc:h2:file:" + data.toAbsolutePath().normalize().resolve("db").resolve("driftless")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE";
    }
}
