package dev.driftless.builder;

import java.util.Map;

/**
 * Build every function of one commit.
 *
 * @param owner        the verified owner (GitHub account or authenticated git user), lower-case DNS-safe
 * @param repository   the repository name
 * @param source       where to fetch the commit
 * @param commit       the exact 40-hex commit SHA to build
 * @param environment  variables for {@code ${VAR}} substitution in stack.yml (never the daemon's own environment)
 * @param listener     receives progress and each function's log lines
 */
public record BuildRequest(
        String owner,
        String repository,
        RepoSource source,
        String commit,
        Map<String, String> environment,
        BuildListener listener) {

    public BuildRequest {
        if (commit == null || !commit.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException("commit must be a 40-hex SHA: " + commit);
        }
        environment = Map.copyOf(environment);
    }
}
