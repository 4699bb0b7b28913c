package dev.driftless.reconciler.app;

import java.util.Optional;

/**
 * The credential a checkout of a GitHub repository uses: an installation access token of the GitHub
 * App (cached until shortly before it expires), or the configured personal access token. Empty for
 * repositories pushed to the built-in git endpoint.
 */
@FunctionalInterface
interface CheckoutTokens {
    Optional<String> token(Optional<Long> installationId) throws Exception;

    static CheckoutTokens none() {
        return installationId -> Optional.empty();
    }
}
