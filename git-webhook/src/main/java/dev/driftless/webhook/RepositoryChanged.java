package dev.driftless.webhook;

/**
 * A push accepted by the built-in git endpoint: the same trigger a GitHub {@code push} becomes.
 *
 * @param owner      the authenticated owner the repository belongs to
 * @param repository the repository name
 * @param ref        the updated ref, e.g. {@code refs/heads/main}
 * @param before     the old object id (all zeros when created)
 * @param after      the new object id (all zeros when deleted)
 * @param cloneUrl   where the reconciler can fetch it (a file path of the bare repository)
 */
public record RepositoryChanged(String owner, String repository, String ref, String before, String after, String cloneUrl) { }
