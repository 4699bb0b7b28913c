package dev.driftless.webhook;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a webhook payload into a {@link GitHubEvent}. Reads only the fields Driftless acts on, and
 * refuses (with {@link MalformedEventException}) a payload that lacks one of them, rather than guessing.
 */
final class GitHubEventParser {
    private static final String BRANCH_PREFIX = "refs/heads/";
    private static final String TAG_PREFIX = "refs/tags/";
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    private GitHubEventParser() { }

    static GitHubEvent parse(String eventName, Buffer body) throws MalformedEventException {
        JsonObject json;
        try {
            json = body.toJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new MalformedEventException("the body is not a JSON object: " + firstLine(e.getMessage()), e);
        }
        if (json == null) {
            throw new MalformedEventException("the body is not a JSON object");
        }
        return parse(eventName, json);
    }

    static GitHubEvent parse(String eventName, JsonObject json) throws MalformedEventException {
        try {
            return switch (eventName) {
                case "ping" -> new GitHubEvent.Ping(json.getString("zen", ""), json.getLong("hook_id", 0L));
                case "push" -> push(json);
                case "installation" -> installation(json);
                case "pull_request" -> pullRequest(json);
                case "installation_repositories" -> installationRepositories(json);
                default -> new GitHubEvent.Other(eventName);
            };
        } catch (ClassCastException wrongType) {
            throw new MalformedEventException(eventName + " payload has a field of the wrong type", wrongType);
        }
    }

    private static GitHubEvent.Push push(JsonObject json) throws MalformedEventException {
        RepositoryRef repository = repository(object(json, "repository", "push"));
        String ref = string(json, "ref", "push");
        Optional<String> branch = ref.startsWith(BRANCH_PREFIX) && ref.length() > BRANCH_PREFIX.length()
                ? Optional.of(ref.substring(BRANCH_PREFIX.length())) : Optional.empty();
        boolean tag = ref.startsWith(TAG_PREFIX);
        JsonObject pusher = json.getJsonObject("pusher");
        return new GitHubEvent.Push(
                repository, ref, branch, tag,
                json.getBoolean("created", false),
                json.getBoolean("deleted", false),
                json.getBoolean("forced", false),
                commitId(json, "before", "push"),
                commitId(json, "after", "push"),
                installationId(json),
                pusher == null ? "" : pusher.getString("name", ""));
    }

    private static GitHubEvent.PullRequest pullRequest(JsonObject json) throws MalformedEventException {
        RepositoryRef base = repository(object(json, "repository", "pull_request"));
        JsonObject pr = object(json, "pull_request", "pull_request");
        JsonObject head = object(pr, "head", "pull_request.pull_request");
        long number = json.getLong("number", pr.getLong("number", 0L));
        if (number <= 0 || number > Integer.MAX_VALUE) {
            throw new MalformedEventException("pull_request payload has no positive 'number'");
        }
        // A head whose repository was deleted has "repo": null; it can only be from a fork (of which nothing is left).
        JsonObject headRepo = head.getJsonObject("repo");
        String headRepository = headRepo == null ? "" : headRepo.getString("full_name", "");
        Long headId = headRepo == null ? null : headRepo.getLong("id");
        boolean fromFork = headRepo == null
                || (headId != null ? headId != base.id() : !headRepository.equalsIgnoreCase(base.fullName()));
        return new GitHubEvent.PullRequest(
                string(json, "action", "pull_request"),
                (int) number,
                base,
                commitId(head, "sha", "pull_request.pull_request.head"),
                string(head, "ref", "pull_request.pull_request.head"),
                headRepository,
                fromFork,
                pr.getBoolean("merged", false),
                installationId(json));
    }

    private static GitHubEvent.Installation installation(JsonObject json) throws MalformedEventException {
        JsonObject installation = object(json, "installation", "installation");
        JsonObject account = object(installation, "account", "installation.installation");
        String login = string(account, "login", "installation.installation.account");
        return new GitHubEvent.Installation(
                string(json, "action", "installation"),
                number(installation, "id", "installation.installation"),
                login,
                account.getString("type", ""),
                repositories(json.getJsonArray("repositories"), login));
    }

    private static GitHubEvent.InstallationRepositories installationRepositories(JsonObject json)
            throws MalformedEventException {
        JsonObject installation = object(json, "installation", "installation_repositories");
        JsonObject account = object(installation, "account", "installation_repositories.installation");
        String login = string(account, "login", "installation_repositories.installation.account");
        return new GitHubEvent.InstallationRepositories(
                string(json, "action", "installation_repositories"),
                number(installation, "id", "installation_repositories.installation"),
                login,
                repositories(json.getJsonArray("repositories_added"), login),
                repositories(json.getJsonArray("repositories_removed"), login));
    }

    /** A full repository object, as in {@code push}: owner, clone URL and default branch are all there. */
    private static RepositoryRef repository(JsonObject repo) throws MalformedEventException {
        JsonObject owner = object(repo, "owner", "repository");
        String ownerName = owner.getString("login");
        if (ownerName == null || ownerName.isBlank()) {
            ownerName = owner.getString("name");
        }
        if (ownerName == null || ownerName.isBlank()) {
            throw new MalformedEventException("repository.owner has neither login nor name");
        }
        String defaultBranch = repo.getString("default_branch");
        if (defaultBranch == null || defaultBranch.isBlank()) {
            defaultBranch = repo.getString("master_branch");
        }
        if (defaultBranch == null || defaultBranch.isBlank()) {
            throw new MalformedEventException("repository has neither default_branch nor master_branch");
        }
        return new RepositoryRef(ownerName, string(repo, "name", "repository"), number(repo, "id", "repository"),
                repo.getBoolean("private", false), string(repo, "clone_url", "repository"), defaultBranch);
    }

    /**
     * The short repository objects of installation events carry no owner, clone URL or default branch:
     * the owner comes from {@code full_name} (or the installation's account); the other two are empty.
     */
    private static List<RepositoryRef> repositories(JsonArray array, String account) throws MalformedEventException {
        List<RepositoryRef> result = new ArrayList<>();
        if (array == null) {
            return List.of();
        }
        for (int i = 0; i < array.size(); i++) {
            JsonObject repo = array.getJsonObject(i);
            if (repo == null) {
                throw new MalformedEventException("repository list entry " + i + " is not an object");
            }
            String fullName = repo.getString("full_name", "");
            int slash = fullName.indexOf('/');
            String owner = slash > 0 ? fullName.substring(0, slash) : account;
            result.add(new RepositoryRef(owner, string(repo, "name", "repository list entry"),
                    number(repo, "id", "repository list entry"), repo.getBoolean("private", false), "", ""));
        }
        return List.copyOf(result);
    }

    private static Optional<Long> installationId(JsonObject json) {
        JsonObject installation = json.getJsonObject("installation");
        return installation == null ? Optional.empty() : Optional.ofNullable(installation.getLong("id"));
    }

    private static JsonObject object(JsonObject json, String field, String where) throws MalformedEventException {
        JsonObject value = json.getJsonObject(field);
        if (value == null) {
            throw new MalformedEventException(where + " payload has no '" + field + "' object");
        }
        return value;
    }

    private static String string(JsonObject json, String field, String where) throws MalformedEventException {
        Object value = json.getValue(field);
        if (!(value instanceof String)) {
            throw new MalformedEventException(where + " payload has no string '" + field + "'");
        }
        return (String) value;
    }

    /** A commit id as git names it: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits. */
    private static String commitId(JsonObject json, String field, String where) throws MalformedEventException {
        String value = string(json, field, where);
        if (!COMMIT_ID.matcher(value).matches()) {
            throw new MalformedEventException(where + " payload's '" + field + "' is not a commit id");
        }
        return value;
    }

    private static long number(JsonObject json, String field, String where) throws MalformedEventException {
        Long value = json.getLong(field);
        if (value == null) {
            throw new MalformedEventException(where + " payload has no numeric '" + field + "'");
        }
        return value;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
