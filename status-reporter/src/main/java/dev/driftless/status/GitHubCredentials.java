package dev.driftless.status;

import java.util.Objects;

/**
 * How Driftless authenticates to GitHub: as a GitHub App (a token per installation, exchanged with a
 * JWT signed by the App key) or with one personal access token for simple setups. Secrets are never
 * shown by {@code toString()}.
 */
public sealed interface GitHubCredentials permits GitHubCredentials.App, GitHubCredentials.PersonalAccessToken {

    static GitHubCredentials app(long appId, GitHubAppKey key) {
        return new App(appId, key);
    }

    static GitHubCredentials personalAccessToken(String token) {
        return new PersonalAccessToken(token);
    }

    final class App implements GitHubCredentials {
        final long appId;
        final GitHubAppKey key;

        private App(long appId, GitHubAppKey key) {
            if (appId <= 0) {
                throw new IllegalArgumentException("GitHub App id must be positive, got " + appId);
            }
            this.appId = appId;
            this.key = Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "GitHubCredentials.App[appId=" + appId + ", key=redacted]";
        }
    }

    final class PersonalAccessToken implements GitHubCredentials {
        final String token;

        private PersonalAccessToken(String token) {
            Objects.requireNonNull(token, "token");
            if (token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalArgumentException("the personal access token is empty or holds whitespace/non-ASCII characters");
            }
            this.token = token;
        }

        @Override
        public String toString() {
            return "GitHubCredentials.PersonalAccessToken[redacted]";
        }
    }
}
