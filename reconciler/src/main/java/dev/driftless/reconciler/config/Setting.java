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
            "Secret of the GitHub webhook (HMAC-SHA256). Unset: the App's stored by 'driftless github app-manifest', else the webhook route answers 503. Secret."),
    GITHUB_WEBHOOK_SECRET_PREVIOUS("DRIFTLESS_GITHUB_WEBHOOK_SECRET_PREVIOUS", "github.webhookSecretPrevious", "(none)",
            "During a secret rotation, the webhook secret being replaced: deliveries signed with it are accepted too. Unset it when the rotation is done. Secret."),
    DB_URL("DRIFTLESS_DB_URL", "db.url", "H2 file in <data>/db",
            "JDBC URL of the store: jdbc:h2:file:… or jdbc:postgresql://host:port/db."),
    DB_USER("DRIFTLESS_DB_USER", "db.user", "(none)", "Database user."),
    DB_PASSWORD("DRIFTLESS_DB_PASSWORD", "db.password", "(none)", "Database password. Secret."),
    WEBHOOK_MAX_BODY("DRIFTLESS_WEBHOOK_MAX_BODY", "webhook.maxBody", "25MiB",
            "Largest webhook body accepted (GitHub's own cap is 25 MiB); larger is 413."),
    WEBHOOK_GROUP_COMMIT("DRIFTLESS_WEBHOOK_GROUP_COMMIT", "webhook.groupCommit", "true",
            "Deliveries that arrive together are stored in one transaction (each still answered only after its commit); false = one transaction per delivery."),
    TRACKED_BRANCH("DRIFTLESS_TRACKED_BRANCH", "trackedBranch", "(repository's default branch)",
            "Branch whose pushes are reconciled; other branches are recorded only."),
    REGISTRY("DRIFTLESS_REGISTRY", "registry.address", "(local image store)", "OCI registry host:port for images."),
    REGISTRY_INSECURE("DRIFTLESS_REGISTRY_INSECURE", "registry.insecure", "false", "Talk plain HTTP to the registry."),
    RUNTIME("DRIFTLESS_RUNTIME", "runtime", "local", "Where functions run: local or kubernetes."),
    FUNCTION_EGRESS("DRIFTLESS_FUNCTION_EGRESS", "functions.egress", "allow",
            "Local runtime: whether functions may open outbound connections (allow or deny). Each sandboxed instance has its own network namespace either way (needs pasta)."),
    FUNCTION_NETWORK("DRIFTLESS_FUNCTION_NETWORK", "functions.network", "isolated",
            "Local runtime: isolated (a network namespace per instance, needs pasta) or host (share this machine's network: for measuring the isolation's cost, or hosts without pasta; logged as a warning)."),
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
            "Comma-separated CIDR ranges of proxies in front of the gateway (an Ingress): their X-Forwarded-For names the client that per-client limits apply to."),
    RATE_LIMIT("DRIFTLESS_RATE_LIMIT", "limits.functions.perMinute", "600",
            "Function requests per client and minute on the HTTPS port (429 with Retry-After above)."),
    RATE_BURST("DRIFTLESS_RATE_BURST", "limits.functions.burst", "100",
            "Function requests a client may send at once after a quiet spell (token bucket size)."),
    LOGIN_RATE_LIMIT("DRIFTLESS_LOGIN_RATE_LIMIT", "limits.login.perMinute", "10",
            "Dashboard login attempts (POST /login) per client and minute on the HTTPS port."),
    LOGIN_RATE_BURST("DRIFTLESS_LOGIN_RATE_BURST", "limits.login.burst", "5", "Login attempts a client may make at once."),
    DASHBOARD_RATE_LIMIT("DRIFTLESS_DASHBOARD_RATE_LIMIT", "limits.dashboard.perMinute", "300",
            "Dashboard, API and badge requests per client and minute on the HTTPS port."),
    DASHBOARD_RATE_BURST("DRIFTLESS_DASHBOARD_RATE_BURST", "limits.dashboard.burst", "60",
            "Dashboard, API and badge requests a client may send at once."),
    GIT_RATE_LIMIT("DRIFTLESS_GIT_RATE_LIMIT", "limits.git.perMinute", "120",
            "Requests to the built-in git endpoint per client and minute on the HTTPS port (a push or fetch takes 2-3)."),
    GIT_RATE_BURST("DRIFTLESS_GIT_RATE_BURST", "limits.git.burst", "30", "Git requests a client may send at once."),
    REGISTRY_USERNAME("DRIFTLESS_REGISTRY_USERNAME", "registry.username", "(none)",
            "User for DRIFTLESS_REGISTRY (push, base images, reading images back; needs the password)."),
    REGISTRY_PASSWORD("DRIFTLESS_REGISTRY_PASSWORD", "registry.password", "(none)",
            "Password or token of that user. Secret."),
    REGISTRY_CONFIG("DRIFTLESS_REGISTRY_CONFIG", "registry.dockerConfig", "$DOCKER_CONFIG/config.json, ~/.docker/config.json",
            "A Docker config.json (or a pull secret's .dockerconfigjson) with auths or credHelpers for the registries."),
    K8S_IMAGE_PULL_SECRETS("DRIFTLESS_K8S_IMAGE_PULL_SECRETS", "kubernetes.imagePullSecrets", "(none)",
            "Comma-separated pull secrets every function's pods use; each must exist in every owner namespace."),
    K8S_REPLICAS("DRIFTLESS_K8S_REPLICAS", "kubernetes.replicas", "1", "Instances of every function."),
    K8S_MEMORY_REQUEST("DRIFTLESS_K8S_MEMORY_REQUEST", "kubernetes.memoryRequest", "64Mi",
            "Memory request of a function whose stack sets none (requests.memory)."),
    K8S_MEMORY_LIMIT("DRIFTLESS_K8S_MEMORY_LIMIT", "kubernetes.memoryLimit", "128Mi",
            "Memory limit of a function whose stack sets none (limits.memory)."),
    K8S_MAX_MEMORY("DRIFTLESS_K8S_MAX_MEMORY", "kubernetes.maxMemory", "1Gi", "Cap on any function's memory request or limit."),
    K8S_CPU_REQUEST("DRIFTLESS_K8S_CPU_REQUEST", "kubernetes.cpuRequest", "50m",
            "CPU request of a function whose stack sets none (requests.cpu)."),
    K8S_CPU_LIMIT("DRIFTLESS_K8S_CPU_LIMIT", "kubernetes.cpuLimit", "0 (none)",
            "CPU limit of a function whose stack sets none (limits.cpu); 0 for no cpu limit."),
    K8S_MAX_CPU("DRIFTLESS_K8S_MAX_CPU", "kubernetes.maxCpu", "1", "Cap on any function's cpu request or limit."),
    K8S_NODE_SELECTOR("DRIFTLESS_K8S_NODE_SELECTOR", "kubernetes.nodeSelector", "(none)",
            "Comma-separated label=value pairs: the functions' pods' nodeSelector."),
    K8S_TOLERATIONS("DRIFTLESS_K8S_TOLERATIONS", "kubernetes.tolerations", "(none)",
            "Comma-separated key[=value][:effect] tolerations of the functions' pods (with a value: Equal, without: Exists)."),
    K8S_GATEWAY_NAMESPACE("DRIFTLESS_K8S_GATEWAY_NAMESPACE", "kubernetes.gatewayNamespace", "(the daemon's own namespace)",
            "Namespace the gateway (the daemon) runs in: each owner's NetworkPolicy admits only pods from it."),
    K8S_GATEWAY_POD_LABELS("DRIFTLESS_K8S_GATEWAY_POD_LABELS", "kubernetes.gatewayPodLabels", "app.kubernetes.io/name=driftless",
            "Comma-separated label=value pairs of the gateway's pods, for the NetworkPolicy."),
    K8S_NAMESPACE_PREFIX("DRIFTLESS_K8S_NAMESPACE_PREFIX", "kubernetes.namespacePrefix", "fn-",
            "Prefix of the per-owner namespaces."),
    K8S_PROGRESS_DEADLINE("DRIFTLESS_K8S_PROGRESS_DEADLINE", "kubernetes.progressDeadline", "120s",
            "The Deployments' progressDeadlineSeconds: a rollout that makes no progress this long fails."),
    K8S_ROLLOUT_TIMEOUT("DRIFTLESS_K8S_ROLLOUT_TIMEOUT", "kubernetes.rolloutTimeout", "180s",
            "How long a rollout is waited for at most, whatever the cluster reports."),
    K8S_POLL_INTERVAL("DRIFTLESS_K8S_POLL_INTERVAL", "kubernetes.pollInterval", "1s", "How often a rollout's status is read."),
    K8S_LABEL_PREFIX("DRIFTLESS_K8S_LABEL_PREFIX", "kubernetes.labelPrefix", "driftless.dev/",
            "Prefix of Driftless's own labels and annotations (changing it orphans what was written before)."),
    SECRETS_KEY_FILE("DRIFTLESS_SECRETS_KEY_FILE", "secrets.keyFile", "<data>/keys/secret-keys",
            "Key ring that encrypts owners' secrets in the store (AES-256-GCM, one '<id> <base64 key>' a line, the last encrypts); created on first start. On Kubernetes mount it from a Secret, the same file on every replica."),
    SEALING_KEY_FILE("DRIFTLESS_SEALING_KEY_FILE", "secrets.sealingKeyFile", "<data>/keys/sealing-key.pem",
            "RSA private key (PKCS#8 PEM) that opens sealed secrets from git; created on first start, its public half written beside it as sealing-key.pub.pem."),
    AUDIT_RETENTION("DRIFTLESS_AUDIT_RETENTION", "audit.retention", "90d",
            "How long audit entries are kept; older ones are pruned hourly."),
    JAVA_STANDBY("DRIFTLESS_JAVA_STANDBY", "builds.javaStandby", "true",
            "Whether one java17 build JVM is kept started and warmed up for the next build (about 200 MB while it waits; the build step of a handler-only java17 change then takes about 0.3 s instead of 1.2 s)."),
    SCALE_TO_ZERO("DRIFTLESS_SCALE_TO_ZERO", "scaleToZero.default", "false",
            "Whether functions without the com.openfaas.scale.zero label are stopped when idle (the label wins either way)."),
    SCALE_TO_ZERO_IDLE("DRIFTLESS_SCALE_TO_ZERO_IDLE", "scaleToZero.idle", "15m",
            "Idle period before a function scales to zero when it sets no com.openfaas.scale.zero-duration."),
    WAKE_TIMEOUT("DRIFTLESS_WAKE_TIMEOUT", "scaleToZero.wakeTimeout", "30s",
            "How long the first request for a function scaled to zero waits for it to start (504 after it)."),
    PREVIEWS("DRIFTLESS_PREVIEWS", "previews.enabled", "true",
            "Whether GitHub pull requests get preview functions (<function>--pr-<n>), and branches of repositories"
                    + " that switch branch previews on (<function>--<branch-slug>)."),
    PREVIEWS_PER_OWNER("DRIFTLESS_PREVIEWS_PER_OWNER", "previews.perOwner", "5",
            "How many pull requests and branches of one owner may have previews at once; beyond it a failed status."),
    NOTIFY_URL("DRIFTLESS_NOTIFY_URL", "notifications.url", "(none)",
            "Default notification target of every owner (besides their own): an http(s) URL that gets each event."),
    NOTIFY_FORMAT("DRIFTLESS_NOTIFY_FORMAT", "notifications.format", "json",
            "Format of the default target: json (signed webhook) or slack (incoming-webhook message)."),
    NOTIFY_SECRET("DRIFTLESS_NOTIFY_SECRET", "notifications.secret", "(none)",
            "HMAC-SHA256 secret that signs the default target's JSON notifications (X-Hub-Signature-256). Secret."),
    NOTIFY_EVENTS("DRIFTLESS_NOTIFY_EVENTS", "notifications.events", "(every event)",
            "Comma-separated events the default target gets: build.started, build.succeeded, build.failed, rollout.failed, rollback, prune."),
    NOTIFY_TIMEOUT("DRIFTLESS_NOTIFY_TIMEOUT", "notifications.timeout", "10s",
            "How long one notification request may take (connect and answer) before it counts as failed and is retried."),
    PREVIEWS_FROM_FORKS("DRIFTLESS_PREVIEWS_FROM_FORKS", "previews.fromForks", "false",
            "Whether pull requests from forks are built as previews (never with the owner's secrets)."),
    PREVIEWS_COMMENT("DRIFTLESS_PREVIEWS_COMMENT", "previews.comment", "true",
            "Whether a pull request gets one comment listing its preview URLs and states, edited in place on every push.");

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
