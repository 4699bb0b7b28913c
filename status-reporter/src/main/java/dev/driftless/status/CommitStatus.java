package dev.driftless.status;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One status Driftless reports on a commit, for one context: {@code driftless/stack} for the whole
 * push or {@code driftless/<function>} per function.
 *
 * <p>{@code commitSequence} orders the commits of one branch: a larger number is a newer commit (the
 * reconciler passes the id of the push/job that brought the commit, which only grows). A status whose
 * sequence is lower than one already recorded for the same (owner, repo, branch, context) is dropped:
 * an older commit never overwrites what a newer one reported.
 *
 * <p>{@code description} is cut to GitHub's 140 characters with "…"; {@code log} (check runs only) is
 * cut to GitHub's 65 535 characters, keeping its end, with a note saying so.
 */
public record CommitStatus(
        String owner,
        String repo,
        String sha,
        String branch,
        long commitSequence,
        String context,
        State state,
        String description,
        String targetUrl,
        Long installationId,
        Target target,
        String summary,
        String log) {

    public static final String STACK_CONTEXT = "driftless/stack";
    static final int MAX_DESCRIPTION = 140;
    static final int MAX_CHECK_TEXT = 65_535;

    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern CONTEXT = Pattern.compile("driftless/[A-Za-z0-9._-]{1,100}");

    public enum State {
        PENDING, SUCCESS, FAILURE, ERROR;

        /** The word GitHub's commit-status API uses. */
        public String apiValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State fromApiValue(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** Where the status goes: GitHub, or only the local store (pushes to the built-in git endpoint). */
    public enum Target { GITHUB, LOCAL }

    public CommitStatus {
        List<String> problems = new ArrayList<>();
        if (owner == null || !OWNER.matcher(owner).matches()) {
            problems.add("owner '" + owner + "' is not a GitHub login");
        }
        if (repo == null || !REPO.matcher(repo).matches() || repo.equals(".") || repo.equals("..")) {
            problems.add("repo '" + repo + "' is not a repository name");
        }
        if (sha == null || !SHA.matcher(sha).matches()) {
            problems.add("sha '" + sha + "' is not a full lowercase commit id");
        }
        if (branch == null || branch.isBlank() || branch.length() > 255) {
            problems.add("branch is missing");
        }
        if (commitSequence < 0) {
            problems.add("commitSequence must not be negative");
        }
        if (context == null || !CONTEXT.matcher(context).matches()) {
            problems.add("context '" + context + "' must be driftless/stack or driftless/<function>");
        }
        if (state == null) {
            problems.add("state is missing");
        }
        if (description == null) {
            problems.add("description is missing");
        }
        if (targetUrl != null && !isWebUrl(targetUrl)) {
            problems.add("targetUrl must be an absolute http(s) URL");
        }
        if (target == null) {
            problems.add("target is missing");
        }
        if (target == Target.GITHUB && installationId != null && installationId <= 0) {
            problems.add("installationId must be positive");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid commit status: " + String.join("; ", problems));
        }
        description = Texts.cutDescription(description, MAX_DESCRIPTION);
        summary = summary == null ? null : Texts.cutLog(summary, MAX_CHECK_TEXT, null);
        log = log == null ? null : Texts.cutLog(log, MAX_CHECK_TEXT, targetUrl);
    }

    public static String functionContext(String function) {
        return "driftless/" + Objects.requireNonNull(function, "function");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether this is the status of the whole push ({@code driftless/stack}). */
    public boolean isStack() {
        return STACK_CONTEXT.equals(context);
    }

    private static boolean isWebUrl(String url) {
        try {
            URI uri = URI.create(url);
            return uri.isAbsolute() && uri.getHost() != null
                    && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static final class Builder {
        private String owner;
        private String repo;
        private String sha;
        private String branch;
        private long commitSequence = -1;
        private String context;
        private State state;
        private String description;
        private String targetUrl;
        private Long installationId;
        private Target target = Target.GITHUB;
        private String summary;
        private String log;

        private Builder() {}

        public Builder repository(String owner, String repo) { this.owner = owner; this.repo = repo; return this; }
        public Builder commit(String sha, String branch, long commitSequence) {
            this.sha = sha; this.branch = branch; this.commitSequence = commitSequence; return this;
        }
        public Builder stack() { this.context = STACK_CONTEXT; return this; }
        public Builder function(String function) { this.context = functionContext(function); return this; }
        public Builder context(String context) { this.context = context; return this; }
        public Builder state(State state) { this.state = state; return this; }
        public Builder description(String description) { this.description = description; return this; }
        public Builder targetUrl(String targetUrl) { this.targetUrl = targetUrl; return this; }
        /** The GitHub App installation that covers the repository (from the webhook); not needed with a token. */
        public Builder installationId(Long installationId) { this.installationId = installationId; return this; }
        /** Record only locally: the push came through the built-in git endpoint, there is no GitHub. */
        public Builder local() { this.target = Target.LOCAL; return this; }
        /** Check runs only: the output summary (markdown). */
        public Builder summary(String summary) { this.summary = summary; return this; }
        /** Check runs only: the build log, shown as the check run's text. */
        public Builder log(String log) { this.log = log; return this; }

        public CommitStatus build() {
            return new CommitStatus(owner, repo, sha, branch, commitSequence, context, state, description,
                    targetUrl, installationId, target, summary, log);
        }
    }
}
