package dev.driftless.status;

import java.io.IOException;

/**
 * One connection to GitHub shared by the status publisher and the checkouts: both use the same
 * installation-token cache, so a push costs one token exchange per installation and hour, not two.
 */
public final class GitHubAccess {
    private final GitHubClients clients;
    private final StatusPublisher publisher;
    private final java.time.Clock clock;

    private GitHubAccess(GitHubClients clients, StatusPublisher publisher, java.time.Clock clock) {
        this.clients = clients;
        this.publisher = publisher;
        this.clock = clock;
    }

    public static GitHubAccess create(GitHubConfig config) {
        GitHubClients clients = new GitHubClients(config);
        StatusPublisher publisher = switch (config.mode()) {
            case COMMIT_STATUSES -> new CommitStatusPublisher(clients, config.clock());
            case CHECK_RUNS -> new CheckRunPublisher(clients, config.clock());
        };
        return new GitHubAccess(clients, publisher, config.clock());
    }

    public StatusPublisher publisher() {
        return publisher;
    }

    /** Pull request comments, written through the same clients (and token cache) as the statuses. */
    public PullRequestComments comments() {
        return new PullRequestComments(clients, clock);
    }

    /**
     * The token a checkout of a repository of {@code installationId} uses as the password of
     * {@code x-access-token}: the installation's access token (App mode) or the personal access token.
     *
     * @throws IOException when GitHub cannot be reached or refuses the exchange (the message says which)
     */
    public String repositoryToken(Long installationId) throws IOException {
        try {
            return clients.token(installationId);
        } catch (IOException e) {
            String why = GitHubAnswer.of(e).map(a -> "HTTP " + a.status() + (a.message().isEmpty() ? "" : ": " + a.message()))
                    .orElseGet(() -> GitHubAnswer.networkError(e));
            throw new IOException("GitHub refused an installation token: " + why, e);
        }
    }
}
