package dev.driftless.webhook;

import java.util.List;
import java.util.Optional;

/** A GitHub webhook event Driftless acts on, parsed from its JSON payload. */
public sealed interface GitHubEvent {

    /** {@code ping}: sent when a hook is created. */
    record Ping(String zen, long hookId) implements GitHubEvent { }

    /**
     * {@code push}. {@code branch} is present for {@code refs/heads/*} pushes; tag pushes have {@code tag} set.
     * {@code after} is all zeros when {@code deleted}.
     */
    record Push(
            RepositoryRef repository,
            String ref,
            Optional<String> branch,
            boolean tag,
            boolean created,
            boolean deleted,
            boolean forced,
            String before,
            String after,
            Optional<Long> installationId,
            String pusher) implements GitHubEvent {

        /** True when the push moved the branch GitHub reports as the repository's default branch. */
        public boolean toDefaultBranch() {
            return branch.isPresent() && branch.get().equals(repository.defaultBranch());
        }
    }

    /** {@code installation}: created, deleted, suspend, unsuspend, new_permissions_accepted. */
    record Installation(String action, long installationId, String account, String accountType,
                        List<RepositoryRef> repositories) implements GitHubEvent { }

    /** {@code installation_repositories}: added or removed. */
    record InstallationRepositories(String action, long installationId, String account,
                                    List<RepositoryRef> added, List<RepositoryRef> removed) implements GitHubEvent { }

    /** Any other event: acknowledged with 202 and ignored. */
    record Other(String name) implements GitHubEvent { }
}
