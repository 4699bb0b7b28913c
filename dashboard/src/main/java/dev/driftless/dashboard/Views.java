package dev.driftless.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The read models the dashboard renders and the API returns as JSON. */
public final class Views {
    private Views() {
    }

    /** Requests, errors and latency percentiles of a function over a window. */
    public record Traffic(long requests, long errors, double p50Millis, double p90Millis, double p99Millis) {
        public static Traffic none() {
            return new Traffic(0, 0, 0, 0, 0);
        }
    }

    /**
     * One function on the owner's page.
     *
     * @param ready       True / False / Unknown
     * @param commitUrl   a link to the commit on GitHub when it came from GitHub
     */
    public record FunctionRow(
            String owner,
            String function,
            String repository,
            String endpoint,
            String ready,
            String reason,
            String message,
            Optional<Integer> release,
            Optional<String> commit,
            Optional<String> commitUrl,
            Optional<Instant> deployedAt,
            Optional<String> image,
            int instancesReady,
            int instancesDesired,
            Traffic lastHour,
            Traffic lastDay) { }

    /** A release in a function's history. */
    public record ReleaseRow(int number, String commit, String image, String source, Optional<Integer> rollbackOf,
                             String result, String reason, Instant createdAt, boolean current) { }

    /** An event of a function: drift reverted, rollout failed, pruned, rolled back. */
    public record EventRow(String reason, String message, Instant at) { }

    /**
     * The function page.
     *
     * @param scaleToZero present when the function scales to zero
     * @param previews    the function's pull request previews, beside production
     */
    public record FunctionDetail(FunctionRow row, List<ReleaseRow> releases, List<EventRow> events,
                                 Optional<Long> latestBuild, List<String> runtimeLog,
                                 Optional<ScaleToZeroView> scaleToZero, List<PreviewRow> previews) {
        public FunctionDetail {
            previews = List.copyOf(previews);
        }

        public FunctionDetail(FunctionRow row, List<ReleaseRow> releases, List<EventRow> events,
                              Optional<Long> latestBuild, List<String> runtimeLog,
                              Optional<ScaleToZeroView> scaleToZero) {
            this(row, releases, events, latestBuild, runtimeLog, scaleToZero, List.of());
        }

        public FunctionDetail(FunctionRow row, List<ReleaseRow> releases, List<EventRow> events,
                              Optional<Long> latestBuild, List<String> runtimeLog) {
            this(row, releases, events, latestBuild, runtimeLog, Optional.empty(), List.of());
        }
    }

    /**
     * A preview of a function: {@code <function>--pr-<n>} serving pull request {@code pullRequest}'s head, or
     * {@code <function>--<branch-slug>} serving the head of {@code branch} (then {@code pullRequest} is 0).
     *
     * @param state {@code serving} when its instance is ready, else {@code not ready}
     */
    public record PreviewRow(String function, String url, int pullRequest, Optional<String> branch, String commit,
                             String state) {
        /** A pull request's preview. */
        public PreviewRow(String function, String url, int pullRequest, String commit, String state) {
            this(function, url, pullRequest, Optional.empty(), commit, state);
        }
    }

    /**
     * Scale to zero of one function, since this daemon started.
     *
     * @param asleep         whether it is at zero now (its next request starts it)
     * @param idle           how long without requests before it goes to zero
     * @param wakes          starts that a first request after idling asked for, failed ones included
     * @param failedWakes    of those, starts that failed (the waiting requests got 503)
     * @param lastWakeMillis the last wake, from its first request arriving to the function serving
     * @param meanWakeMillis the mean over every wake that started it
     */
    public record ScaleToZeroView(boolean asleep, java.time.Duration idle, long wakes, long failedWakes,
                                  Optional<Double> lastWakeMillis, Optional<Double> meanWakeMillis) { }

    /** One function's result in a build. */
    public record FunctionResultRow(String function, String outcome, String image, String reason, long durationMillis) { }

    /** A build (one push) with its functions. */
    public record BuildView(long id, String owner, String repository, String branch, String commit, String trigger,
                            String state, String reason, Instant startedAt, Optional<Instant> finishedAt,
                            List<FunctionResultRow> functions) {
        public boolean running() {
            return "running".equals(state);
        }
    }

    /** Log lines from {@code from}; {@code done} when the build has finished and no more lines will come. */
    public record LogChunk(int from, List<String> lines, boolean done) { }

    /** A repository page: recent pushes and the badge to copy. */
    public record RepositoryView(String owner, String repository, String badgeUrl, String badgeMarkdown,
                                 boolean suspended, List<BuildView> recentBuilds) { }

    /** What a rollback did. */
    public record RollbackView(String function, int newRelease, int rolledBackTo, boolean succeeded, String message) { }

    /**
     * A rollback, suspend or resume queued as a job: its id, kind, state ({@code queued}, {@code running},
     * {@code succeeded}, {@code failed}, {@code superseded}) and, once finished, what it did or why it failed.
     */
    public record JobView(long id, String kind, String state, boolean finished, boolean succeeded, String message) { }

    /**
     * One line of an owner's audit trail.
     *
     * @param detail the entry's facts as JSON text (commit, release numbers, sizes), never a secret value
     */
    public record AuditRow(long id, Instant at, String actor, String action, String target, String detail) { }

    /**
     * A page of the audit trail, newest first, with the cursors of its neighbours: {@code newer} for
     * {@code ?after=} when newer entries exist, {@code older} for {@code ?before=} when older ones exist.
     */
    public record AuditPage(List<AuditRow> rows, Optional<Long> newer, Optional<Long> older) { }

    /** What the owner may see of a secret: never its value. */
    public record SecretRow(String name, int sizeBytes, String origin, Instant updatedAt) { }

    /** An owner's notification target as the settings page shows it: never the secret, only whether one is set. */
    public record NotificationTarget(String url, String format, List<String> events, boolean secretSet,
                                     Instant updatedAt) {
        public NotificationTarget {
            events = List.copyOf(events);
        }
    }

    /** The notifications settings page: the owner's target, if any, and the events one may choose. */
    public record NotificationsPage(Optional<NotificationTarget> target, List<String> knownEvents) {
        public NotificationsPage {
            knownEvents = List.copyOf(knownEvents);
        }
    }

    /** What the settings form sent: empty events for every event, an empty secret to keep the stored one. */
    public record NotificationForm(String url, String format, List<String> events, String secret, boolean removeSecret) {
        public NotificationForm {
            events = List.copyOf(events);
        }

        @Override
        public String toString() {
            return "NotificationForm[url, format=" + format + ", events=" + events + ", secret=***]";
        }
    }
}
