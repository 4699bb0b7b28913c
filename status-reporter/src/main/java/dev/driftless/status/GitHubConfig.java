package dev.driftless.status;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How to reach GitHub: API base URL ({@code https://api.github.com}, a GitHub Enterprise Server's
 * {@code https://host/api/v3}, or a test stand-in), credentials, and whether to post commit statuses or
 * check runs. Build with {@link #builder()}; {@code build()} reports every missing or bad field at once.
 */
public final class GitHubConfig {
    public static final URI GITHUB_COM = URI.create("https://api.github.com");

    private final URI apiBaseUrl;
    private final GitHubCredentials credentials;
    private final StatusPublisher.Mode mode;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Clock clock;

    private GitHubConfig(Builder b) {
        this.apiBaseUrl = b.apiBaseUrl;
        this.credentials = b.credentials;
        this.mode = b.mode;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public URI apiBaseUrl() { return apiBaseUrl; }
    public GitHubCredentials credentials() { return credentials; }
    public StatusPublisher.Mode mode() { return mode; }
    Duration connectTimeout() { return connectTimeout; }
    Duration requestTimeout() { return requestTimeout; }
    Clock clock() { return clock; }

    @Override
    public String toString() {
        return "GitHubConfig[apiBaseUrl=" + apiBaseUrl + ", credentials=" + credentials + ", mode=" + mode + "]";
    }

    public static final class Builder {
        private URI apiBaseUrl = GITHUB_COM;
        private GitHubCredentials credentials;
        private StatusPublisher.Mode mode = StatusPublisher.Mode.COMMIT_STATUSES;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(20);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder apiBaseUrl(URI apiBaseUrl) { this.apiBaseUrl = apiBaseUrl; return this; }
        public Builder apiBaseUrl(String apiBaseUrl) { return apiBaseUrl(URI.create(apiBaseUrl)); }
        public Builder credentials(GitHubCredentials credentials) { this.credentials = credentials; return this; }
        public Builder mode(StatusPublisher.Mode mode) { this.mode = mode; return this; }
        /** With {@link #requestTimeout}: one GitHub call gets connect + request timeout to answer, then fails as a network error. */
        public Builder connectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; return this; }
        public Builder requestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; return this; }
        public Builder clock(Clock clock) { this.clock = clock; return this; }

        public GitHubConfig build() {
            List<String> problems = new ArrayList<>();
            if (apiBaseUrl == null || !apiBaseUrl.isAbsolute() || apiBaseUrl.getHost() == null
                    || !("https".equals(apiBaseUrl.getScheme()) || "http".equals(apiBaseUrl.getScheme()))) {
                problems.add("apiBaseUrl must be an absolute http(s) URL, got " + apiBaseUrl);
            } else if (apiBaseUrl.getQuery() != null || apiBaseUrl.getFragment() != null) {
                problems.add("apiBaseUrl must not have a query or fragment");
            }
            if (credentials == null) {
                problems.add("credentials are missing (GitHubCredentials.app(...) or personalAccessToken(...))");
            }
            if (mode == null) {
                problems.add("mode is missing");
            }
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
                problems.add("connectTimeout must be positive");
            }
            if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
                problems.add("requestTimeout must be positive");
            }
            if (clock == null) {
                problems.add("clock is missing");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid GitHub configuration: " + String.join("; ", problems));
            }
            return new GitHubConfig(this);
        }
    }
}
