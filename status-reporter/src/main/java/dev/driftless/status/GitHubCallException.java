package dev.driftless.status;

/** GitHub refused a call we depend on (the installation-token exchange); carries the answer to classify it. */
final class GitHubCallException extends Exception {
    private final transient GitHubResponse response;

    GitHubCallException(String what, GitHubResponse response) {
        super(what + " answered HTTP " + response.status() + (response.message().isEmpty() ? "" : ": " + response.message()));
        this.response = response;
    }

    GitHubResponse response() {
        return response;
    }
}
