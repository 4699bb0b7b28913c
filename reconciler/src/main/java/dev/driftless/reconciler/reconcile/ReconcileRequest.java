package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.RepoSource;

import java.util.Map;
import java.util.Optional;

/**
 * Reconcile one repository's tracked branch.
 *
 * @param headHint       the commit the trigger named (a push's {@code after}); the branch's current head wins
 * @param trigger        webhook, git-push, resync, manual
 * @param installationId the GitHub App installation, for tokens and statuses (empty for the built-in git endpoint)
 * @param environment    variables for {@code ${VAR}} in stack.yml (operator-provided, never the daemon's own env)
 */
public record ReconcileRequest(
        String owner,
        String repository,
        String branch,
        RepoSource source,
        Optional<String> headHint,
        String trigger,
        Optional<Long> installationId,
        Map<String, String> environment) {

    public ReconcileRequest {
        environment = Map.copyOf(environment);
    }
}
