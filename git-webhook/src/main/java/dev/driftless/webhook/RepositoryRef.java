package dev.driftless.webhook;

/** A repository as GitHub names it in an event: {@code owner/name}, its numeric id, and its clone URL. */
public record RepositoryRef(String owner, String name, long id, boolean isPrivate, String cloneUrl, String defaultBranch) {
    public String fullName() {
        return owner + "/" + name;
    }
}
