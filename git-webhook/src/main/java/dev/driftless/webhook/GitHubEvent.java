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

    /**
     * {@code pull_request}: only {@code opened}, {@code synchronize}, {@code reopened} and {@code closed} matter.
     * {@code repository} is the base repository (where the PR lives); {@code fromFork} is true when the head
     * commit lives in another repository.
     */
    record PullRequest(
            String action,
            int number,
            RepositoryRef repository,
            String headSha,
            String headRef,
            String headRepository,
            boolean fromFork,
            boolean merged,
            Optional<Long> installationId) implements GitHubEvent {

        /** True for the actions that (re)build a preview; {@link #closing()} removes it. */
        public boolean building() {
            return action.equals("opened") || action.equals("synchronize") || action.equals("reopened");
        }

        public boolean closing() {
            return action.equals("closed");
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
