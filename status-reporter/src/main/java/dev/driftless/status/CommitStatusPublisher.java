package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.OptionalLong;

/** {@code POST /repos/{owner}/{repo}/statuses/{sha}}. */
final class CommitStatusPublisher extends GitHubPublisher {

    CommitStatusPublisher(GitHubHttp http, AccessTokens tokens, Clock clock) {
        super(http, tokens, clock);
    }

    @Override
    Call call(CommitStatus status, OptionalLong checkRunId) {
        JsonObject body = new JsonObject()
                .put("state", status.state().apiValue())
                .put("description", status.description())
                .put("context", status.context());
        if (status.targetUrl() != null) {
            body.put("target_url", status.targetUrl());
        }
        return new Call("POST", repoPath(status) + "/statuses/" + status.sha(), body);
    }

    @Override
    OptionalLong idFrom(GitHubResponse response, OptionalLong checkRunId) {
        return OptionalLong.empty();
    }
}
