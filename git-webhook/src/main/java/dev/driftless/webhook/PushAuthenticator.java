package dev.driftless.webhook;

/**
 * Decides whether a git client may push to or fetch from {@code owner}'s repositories. The token is the
 * HTTP Basic password; the user name is informational. Implementations compare in constant time.
 */
public interface PushAuthenticator {
    boolean mayAccess(String owner, String username, String token);
}
