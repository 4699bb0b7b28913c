package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.kohsuke.github.GHAppInstallation;
import org.kohsuke.github.GHEventPayload;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.authorization.AuthorizationProvider;
import org.kohsuke.github.connector.GitHubConnector;

/**
 * The kohsuke github-api clients Driftless talks to GitHub with, one per identity: the App itself
 * (JWT), each installation (its access token, from the {@link InstallationTokens} cache), or the
 * personal access token. Every client fails fast on rate limits ({@code GitHubRateLimitHandler.FAIL},
 * {@code GitHubAbuseLimitHandler.FAIL}): the outbox, not the library, decides when to call again.
 */
final class GitHubClients {
    private final String endpoint;
    private final AnswerRecordingConnector connector;
    private final InstallationTokens tokens;   // App mode
    private final String personalAccessToken; // PAT mode
    private final ConcurrentMap<Long, TokenClient> installations = new ConcurrentHashMap<>();
    private final GitHub patClient;

    GitHubClients(GitHubConfig config) {
        String base = config.apiBaseUrl().toString();
        // GHES bases look like https://host/api/v3; github-api appends paths, so drop a trailing slash.
        this.endpoint = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.connector = new AnswerRecordingConnector(GitHubConnector.DEFAULT,
                config.connectTimeout().plus(config.requestTimeout()));
        if (config.credentials() instanceof GitHubCredentials.App app) {
            AppJwt jwt = new AppJwt(app.appId, app.key, config.clock());
            this.tokens = new InstallationTokens(client(() -> "Bearer " + jwt.create()), config.clock());
            this.personalAccessToken = null;
            this.patClient = null;
        } else {
            this.tokens = null;
            this.personalAccessToken = ((GitHubCredentials.PersonalAccessToken) config.credentials()).token;
            this.patClient = client(() -> "Bearer " + personalAccessToken);
        }
    }

    /** The token of a repository's installation (App mode) or the personal access token. */
    String token(Long installationId) throws IOException {
        if (tokens == null) {
            return personalAccessToken;
        }
        return tokens.token(requireInstallation(installationId));
    }

    /** A client that sends one installation token; replaced when the installation's token changes. */
    private record TokenClient(String token, GitHub client) {}

    /**
     * The client acting for a repository's installation (App mode) or as the token's user.
     *
     * @throws IOException when the installation token cannot be had (github-api's {@code HttpException})
     */
    GitHub client(Long installationId) throws IOException {
        if (tokens == null) {
            return patClient;
        }
        long id = requireInstallation(installationId);
        String token = tokens.token(id);
        TokenClient current = installations.get(id);
        if (current == null || !current.token().equals(token)) {
            current = new TokenClient(token, client(() -> "Bearer " + token));
            installations.put(id, current);
        }
        return current.client();
    }

    /** Drops a token GitHub refused; true if a fresh one can be fetched (App mode), false if not (PAT). */
    boolean invalidate(Long installationId) {
        if (tokens == null || installationId == null) {
            return false;
        }
        tokens.invalidate(installationId);
        return true;
    }

    /** Statuses that share a token share its rate limit: the key they are paused by. */
    String rateLimitKey(Long installationId) {
        return tokens == null ? "token" : "installation:" + installationId;
    }

    /** Status and headers of the last answer on this thread (for rate-limit headers on a success). */
    GitHubAnswer lastAnswer() {
        return connector.lastAnswer();
    }

    private GitHub client(AuthorizationProvider authorization) {
        try {
            return new GitHubBuilder().withEndpoint(endpoint).withConnector(connector)
                    .withRateLimitHandler(GitHubRateLimitHandler.FAIL)
                    .withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL)
                    .withAuthorizationProvider(authorization)
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot set up the GitHub client for " + endpoint + ": " + e.getMessage(), e);
        }
    }

    private static long requireInstallation(Long installationId) {
        if (installationId == null) {
            throw new IllegalArgumentException("GitHub App mode needs the installation id of the repository");
        }
        return installationId;
    }

    /*
     * github-api hands out repository and installation objects only from a GET (GET /repos/o/r,
     * GET /app/installations/{id}) or from a webhook payload. Driftless already knows owner, name and
     * installation id from the webhook, so it binds them from that, through the library's own payload
     * reader, instead of spending a request (and a share of the rate limit) on every status.
     */

    static GHRepository repository(GitHub client, String owner, String repo) throws IOException {
        JsonObject payload = new JsonObject().put("repository", new JsonObject()
                .put("name", repo).put("full_name", owner + "/" + repo).put("owner", new JsonObject().put("login", owner)));
        return client.parseEventPayload(new StringReader(payload.encode()), GHEventPayload.Repository.class).getRepository();
    }

    static GHAppInstallation installation(GitHub appClient, long installationId) throws IOException {
        JsonObject payload = new JsonObject().put("installation", new JsonObject().put("id", installationId));
        return appClient.parseEventPayload(new StringReader(payload.encode()), GHEventPayload.Installation.class).getInstallation();
    }
}
