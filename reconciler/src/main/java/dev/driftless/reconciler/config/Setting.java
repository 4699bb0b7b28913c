package dev.driftless.reconciler.config;

/**
 * Every setting of the daemon: its environment variable, its key in the YAML file, its default as
 * shown to people, and what it means. The README's table lists exactly these.
 */
public enum Setting {
    DATA("DRIFTLESS_DATA", "data", "./.driftless", "Data folder: H2 database, git repositories, images, generated CA."),
    HTTP_PORT("DRIFTLESS_HTTP_PORT", "http.port", "8080", "Port of the API, webhooks, git endpoint, health and metrics."),
    HTTPS_PORT("DRIFTLESS_HTTPS_PORT", "https.port", "8443", "Port of the HTTPS function gateway."),
    DOMAIN("DRIFTLESS_DOMAIN", "domain", "localhost", "Functions answer at https://<owner>.<domain>/<function>."),
    GITHUB_WEBHOOK_SECRET("DRIFTLESS_GITHUB_WEBHOOK_SECRET", "github.webhookSecret", "(none)",
            "Secret of the GitHub webhook (HMAC-SHA256). Unset: the webhook route answers 503. Secret."),
    DB_URL("DRIFTLESS_DB_URL", "db.url", "H2 file in <data>/db",
            "JDBC URL of the store: jdbc:h2:file:… or jdbc:postgresql://host:port/db."),
    DB_USER("DRIFTLESS_DB_USER", "db.user", "(none)", "Database user."),
    DB_PASSWORD("DRIFTLESS_DB_PASSWORD", "db.password", "(none)", "Database password. Secret."),
    WEBHOOK_MAX_BODY("DRIFTLESS_WEBHOOK_MAX_BODY", "webhook.maxBody", "25MiB",
            "Largest webhook body accepted (GitHub's own cap is 25 MiB); larger is 413."),
    TRACKED_BRANCH("DRIFTLESS_TRACKED_BRANCH", "trackedBranch", "(repository's default branch)",
            "Branch whose pushes are reconciled; other branches are recorded only."),
    REGISTRY("DRIFTLESS_REGISTRY", "registry.address", "(local image store)", "OCI registry host:port for images."),
    REGISTRY_INSECURE("DRIFTLESS_REGISTRY_INSECURE", "registry.insecure", "false", "Talk plain HTTP to the registry."),
    RUNTIME("DRIFTLESS_RUNTIME", "runtime", "local", "Where functions run: local or kubernetes."),
    FUNCTION_EGRESS("DRIFTLESS_FUNCTION_EGRESS", "functions.egress", "allow",
            "Local runtime: whether functions may open outbound connections (allow or deny). Each sandboxed instance has its own network namespace either way (needs pasta)."),
    RESYNC_INTERVAL("DRIFTLESS_RESYNC_INTERVAL", "resyncInterval", "5m",
            "How often every repository is reconciled without a push (missed webhooks, drift)."),
    WORKERS("DRIFTLESS_WORKERS", "workers", "2",
            "Job workers of this process; 0 = intake only (jobs wait for another replica)."),
    GITHUB_API_URL("DRIFTLESS_GITHUB_API_URL", "github.apiUrl", "https://api.github.com", "GitHub REST API base URL."),
    GITHUB_APP_ID("DRIFTLESS_GITHUB_APP_ID", "github.appId", "(none)", "GitHub App id (App mode; needs the key file)."),
    GITHUB_APP_KEY_FILE("DRIFTLESS_GITHUB_APP_KEY_FILE", "github.appKeyFile", "(none)", "PEM private key of the GitHub App."),
    GITHUB_TOKEN("DRIFTLESS_GITHUB_TOKEN", "github.token", "(none)", "Personal access token (PAT mode, instead of an App). Secret."),
    STATUS_MODE("DRIFTLESS_STATUS_MODE", "github.statusMode", "statuses",
            "How commits are reported: statuses (commit statuses) or checks (check runs, App only)."),
    ALLOWED_OWNERS("DRIFTLESS_ALLOWED_OWNERS", "allowedOwners", "(everyone)",
            "Comma-separated owners whose repositories are served; others are recorded and ignored."),
    TLS_CERT_FILE("DRIFTLESS_TLS_CERT_FILE", "tls.certFile", "(generated local CA)", "PEM certificate of the gateway."),
    TLS_KEY_FILE("DRIFTLESS_TLS_KEY_FILE", "tls.keyFile", "(generated local CA)", "PEM private key of the gateway."),
    PUBLIC_HTTPS_PORT("DRIFTLESS_PUBLIC_HTTPS_PORT", "https.publicPort", "(the HTTPS port)",
            "Port shown in the URLs Driftless hands out (endpoints, dashboard, statuses) when clients reach the gateway on another port, e.g. 443 behind an Ingress."),
    GITHUB_WEB_URL("DRIFTLESS_GITHUB_WEB_URL", "github.webUrl", "https://github.com",
            "GitHub web base URL, for dashboard sign-in and commit links (GitHub Enterprise: https://host)."),
    GITHUB_OAUTH_CLIENT_ID("DRIFTLESS_GITHUB_OAUTH_CLIENT_ID", "github.oauthClientId", "(none)",
            "OAuth client id of the GitHub App: turns on 'Sign in with GitHub' on the dashboard (needs the secret)."),
    GITHUB_OAUTH_CLIENT_SECRET("DRIFTLESS_GITHUB_OAUTH_CLIENT_SECRET", "github.oauthClientSecret", "(none)",
            "OAuth client secret of the GitHub App. Secret."),
    CLUSTER_BASE_IMAGES("DRIFTLESS_CLUSTER_BASE_IMAGES", "clusterBaseImages", "(each template's official image)",
            "Kubernetes builds: base image per template, e.g. python3=mirror.local/python:3.11-slim,java17=…@sha256:… (a mirror, or pinned by digest)."),
    TRUSTED_PROXIES("DRIFTLESS_TRUSTED_PROXIES", "https.trustedProxies", "(none)",
            "Comma-separated CIDR ranges of proxies in front of the gateway (an Ingress): their X-Forwarded-For names the client that per-client limits apply to.");

    private final String env;
    private final String yamlKey;
    private final String shownDefault;
    private final String description;

    Setting(String env, String yamlKey, String shownDefault, String description) {
        this.env = env;
        this.yamlKey = yamlKey;
        this.shownDefault = shownDefault;
        this.description = description;
    }

    public String env() {
        return env;
    }

    public String yamlKey() {
        return yamlKey;
    }

    public String shownDefault() {
        return shownDefault;
    }

    public String description() {
        return description;
    }

    static Setting byYamlKey(String key) {
        for (Setting setting : values()) {
            if (setting.yamlKey.equals(key)) {
                return setting;
            }
        }
        return null;
    }
}
