package dev.driftless.builder;

import java.util.Optional;

/**
 * Where to fetch a commit from: any git URL JGit understands (https, file, a local path), with an
 * optional token for private HTTPS repositories (sent as the password of user {@code x-access-token},
 * as GitHub installation tokens expect). The token is never logged.
 */
public record RepoSource(String url, Optional<String> token) {
    public static RepoSource of(String url) {
        return new RepoSource(url, Optional.empty());
    }

    @Override
    public String toString() {
        return "RepoSource[" + url + (token.isPresent() ? ", token=***" : "") + "]";
    }
}
