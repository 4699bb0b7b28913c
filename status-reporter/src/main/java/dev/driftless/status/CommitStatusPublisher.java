package dev.driftless.status;

import java.io.IOException;
import java.time.Clock;
import java.util.OptionalLong;
import org.kohsuke.github.GHCommitState;
import org.kohsuke.github.GHCommitStatus;
import org.kohsuke.github.GHRepository;

/**
 * {@code POST /repos/{owner}/{repo}/statuses/{sha}} through {@code GHRepository.createCommitStatus}; after an attempt
 * whose answer was lost, {@code GET} of the same path ({@code listCommitStatuses}, newest first) tells whether it
 * went through.
 */
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

    @Override
    Boolean shownOnGitHub(GHRepository repository, CommitStatus status, OptionalLong checkRunId) throws IOException {
        // Newest first: the first status of this context is what GitHub shows. Statuses of one context leave the
        // outbox in order, so if the newest is not this one, the lost attempt never reached GitHub.
        for (GHCommitStatus shown : repository.listCommitStatuses(status.sha()).withPageSize(100).toList()) {
            if (status.context().equals(shown.getContext())) {
                return shown.getState() != null && shown.getState().name().equalsIgnoreCase(status.state().apiValue())
                        && status.description().equals(nullToEmpty(shown.getDescription()))
                        && nullToEmpty(status.targetUrl()).equals(nullToEmpty(shown.getTargetUrl()));
            }
        }
        return false;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
