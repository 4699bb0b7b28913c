package dev.driftless.status;

import java.io.IOException;
import java.time.Clock;
import java.util.OptionalLong;
import org.kohsuke.github.GHCheckRun;
import org.kohsuke.github.GHCheckRunBuilder;
import org.kohsuke.github.GHRepository;

/**
 * Checks API through github-api: the first state of a (sha, context) creates a check run named after the
 * context ({@code GHRepository.createCheckRun}: {@code POST /repos/{o}/{r}/check-runs}); later states update
 * that same run by id ({@code updateCheckRun}: {@code PATCH /repos/{o}/{r}/check-runs/{id}}). The build log
 * goes in {@code output.text}, already cut to 65 535 characters by {@link CommitStatus}.
 */
final class CheckRunPublisher extends GitHubPublisher {

    CheckRunPublisher(GitHubClients clients, Clock clock) {
        super(clients, clock);
    }

    @Override
    OptionalLong send(GHRepository repository, CommitStatus status, OptionalLong checkRunId) throws IOException {
        GHCheckRunBuilder run = checkRunId.isPresent()
                // The name is sent again so the update reads like the create (it does not rename).
                ? repository.updateCheckRun(checkRunId.getAsLong()).withName(status.context(), status.context())
                : repository.createCheckRun(status.context(), status.sha());
        switch (status.state()) {
            case PENDING -> run.withStatus(GHCheckRun.Status.IN_PROGRESS);
            case SUCCESS -> run.withStatus(GHCheckRun.Status.COMPLETED).withConclusion(GHCheckRun.Conclusion.SUCCESS);
            // Checks has no "error" conclusion; our own faults are failures too, the title says which.
            case FAILURE, ERROR -> run.withStatus(GHCheckRun.Status.COMPLETED).withConclusion(GHCheckRun.Conclusion.FAILURE);
        }
        if (status.targetUrl() != null) {
            run.withDetailsURL(status.targetUrl());
        }
        String title = status.description().isEmpty() ? status.context() : status.description();
        GHCheckRunBuilder.Output output = new GHCheckRunBuilder.Output(title, status.summary() != null ? status.summary() : title);
        if (status.log() != null) {
            output.withText(status.log());
        }
        GHCheckRun answer = run.add(output).create();
        return answer != null && answer.getId() > 0 ? OptionalLong.of(answer.getId()) : checkRunId;
    }

    /**
     * Not looked up: an update of a known check run is the same PATCH again (harmless), and telling a lost create
     * from none would need the check runs of the ref; a create cut off by a kill may leave a second run (at least once).
     */
    @Override
    Boolean shownOnGitHub(GHRepository repository, CommitStatus status, OptionalLong checkRunId) {
        return null;
    }
}
