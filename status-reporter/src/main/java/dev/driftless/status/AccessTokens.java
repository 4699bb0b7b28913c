package dev.driftless.status;

import java.io.IOException;
import java.time.Clock;

/** The bearer token for a status: the installation's token (App mode) or the one personal access token. */
interface AccessTokens {

    String token(Long installationId) throws IOException, GitHubCallException;

    /** Drops a token GitHub refused; true if a fresh one can be fetched (App mode), false if not (PAT). */
    boolean invalidate(Long installationId);

    /** Statuses that share a token share its rate limit: the key they are paused by. */
    String rateLimitKey(Long installationId);

    static AccessTokens of(GitHubCredentials credentials, GitHubHttp http, Clock clock) {
        if (credentials instanceof GitHubCredentials.App app) {
            InstallationTokens tokens = new InstallationTokens(http, new AppJwt(app.appId, app.key, clock), clock);
            return new AccessTokens() {
                @Override
                public String token(Long installationId) throws IOException, GitHubCallException {
                    if (installationId == null) {
                        throw new IllegalArgumentException("GitHub App mode needs the installation id of the repository");
                    }
                    return tokens.token(installationId);
                }

                @Override
                public String rateLimitKey(Long installationId) {
                    return "installation:" + installationId;
                }

                @Override
                public boolean invalidate(Long installationId) {
                    if (installationId != null) {
                        tokens.invalidate(installationId);
                    }
                    return installationId != null;
                }
            };
        }
        String pat = ((GitHubCredentials.PersonalAccessToken) credentials).token;
        return new AccessTokens() {
            @Override
            public String token(Long installationId) {
                return pat;
            }

            @Override
            public String rateLimitKey(Long installationId) {
                return "token";
            }

            @Override
            public boolean invalidate(Long installationId) {
                return false;
            }
        };
    }
}
