package dev.driftless.status;

import java.io.IOException;
import java.time.Clock;
import java.util.OptionalLong;
import org.kohsuke.github.GHCommitState;
import org.kohsuke.github.GHRepository;

/** {@code POST /repos/{owner}/{repo}/statuses/{sha}} through {@code GHRepository.createCommitStatus}. */
final class CommitStatusPublisher extends GitHubPublisher {

    CommitStatusPublisher(GitHubClients clients, Clock clock) {
        super(clients, clock);
    }

    @Override
    OptionalLong send(GHRepository repository, CommitStatus status, OptionalLong checkRunId) throws IOException {
        GHCommitState state = switch (status.state()) {
            case PENDING -> GHCommitState.PENDING;
            case SUCCESS -> GHCommitState.SUCCESS;
            case FAILURE -> GHCommitState.FAILURE;
            case ERROR -> GHCommitState.ERROR;
        };
        repository.createCommitStatus(status.sha(), state, status.targetUrl(), status.description(), status.context());
        return OptionalLong.empty();
    }
}
