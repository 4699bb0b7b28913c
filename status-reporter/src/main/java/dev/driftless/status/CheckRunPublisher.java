package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.OptionalLong;

/**
 * Checks API: the first state of a (sha, context) creates a check run named after the context
 * ({@code POST /repos/{o}/{r}/check-runs}); later states update that same run by id
 * ({@code PATCH /repos/{o}/{r}/check-runs/{id}}). The build log goes in {@code output.text}, already cut
 * to 65 535 characters by {@link CommitStatus}.
 */
final class CheckRunPublisher extends GitHubPublisher {

    CheckRunPublisher(GitHubHttp http, AccessTokens tokens, Clock clock) {
        super(http, tokens, clock);
    }

    @Override
    Call call(CommitStatus status, OptionalLong checkRunId) {
        JsonObject output = new JsonObject()
                .put("title", status.description().isEmpty() ? status.context() : status.description())
                .put("summary", status.summary() != null ? status.summary()
                        : status.description().isEmpty() ? status.context() : status.description());
        if (status.log() != null) {
            output.put("text", status.log());
        }
        JsonObject body = new JsonObject().put("name", status.context());
        switch (status.state()) {
            case PENDING -> body.put("status", "in_progress");
            case SUCCESS -> body.put("status", "completed").put("conclusion", "success");
            // Checks has no "error" conclusion; our own faults are failures too, the title says which.
            case FAILURE, ERROR -> body.put("status", "completed").put("conclusion", "failure");
        }
        if (status.targetUrl() != null) {
            body.put("details_url", status.targetUrl());
        }
        body.put("output", output);
        if (checkRunId.isPresent()) {
            return new Call("PATCH", repoPath(status) + "/check-runs/" + checkRunId.getAsLong(), body);
        }
        body.put("head_sha", status.sha());
        return new Call("POST", repoPath(status) + "/check-runs", body);
    }

    @Override
    OptionalLong idFrom(GitHubResponse response, OptionalLong checkRunId) {
        Object id = response.json().getValue("id");
        if (id instanceof Number n) {
            return OptionalLong.of(n.longValue());
        }
        return checkRunId;
    }
}
