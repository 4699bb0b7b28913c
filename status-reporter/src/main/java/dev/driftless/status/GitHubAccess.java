package dev.driftless.status;

import java.io.IOException;

/**
 * One connection to GitHub shared by the status publisher and the checkouts: both use the same
 * installation-token cache, so a push costs one token exchange per installation and hour, not two.
 */
public final class GitHubAccess {
    private final AccessTokens tokens;
    private final StatusPublisher publisher;

    private GitHubAccess(AccessTokens tokens, StatusPublisher publisher) {
        this.tokens = tokens;
        this.publisher = publisher;
    }

    public static GitHubAccess create(GitHubConfig config) {
        GitHubHttp http = new GitHubHttp(config.apiBaseUrl(), config.connectTimeout(), config.requestTimeout());
        AccessTokens tokens = AccessTokens.of(config.credentials(), http, config.clock());
        StatusPublisher publisher = switch (config.mode()) {
            case COMMIT_STATUSES -> new CommitStatusPublisher(http, tokens, config.clock());
            case CHECK_RUNS -> new CheckRunPublisher(http, tokens, config.clock());
        };
        return new GitHubAccess(tokens, publisher);
    }

    public StatusPublisher publisher() {
        return publisher;
    }

    /**
     * The token a checkout of a repository of {@code installationId} uses as the password of
     * {@code x-access-token}: the installation's access token (App mode) or the personal access token.
     *
     * @throws IOException when GitHub cannot be reached or refuses the exchange (the message says which)
     */
    public String repositoryToken(Long installationId) throws IOException {
        try {
            return tokens.token(installationId);
        } catch (GitHubCallException e) {
            throw new IOException("GitHub refused an installation token: " + e.getMessage(), e);
        }
    }
}
