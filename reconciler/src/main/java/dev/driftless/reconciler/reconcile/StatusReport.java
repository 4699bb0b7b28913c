package dev.driftless.reconciler.reconcile;

import java.util.Optional;

/**
 * A commit status the reconcile loop wants the user to see: {@code driftless/stack} for the whole
 * push, {@code driftless/<function>} per function. Written to the outbox in the same transaction as
 * the state change that causes it.
 *
 * @param sequence orders reports of one repository: a report for an older build never overwrites a newer one
 *                 (the build id, which only grows); it also names the build whose log a check run shows
 */
public record StatusReport(
        String owner,
        String repository,
        String commit,
        String branch,
        String context,
        State state,
        String description,
        String targetUrl,
        Optional<Long> installationId,
        long sequence) {

    public enum State { PENDING, SUCCESS, FAILURE, ERROR }

    public static String stackContext() {
        return "driftless/stack";
    }

    public static String functionContext(String function) {
        return "driftless/" + function;
    }

    public StatusReport {
        description = shorten(description);
    }

    /** GitHub cuts descriptions at 140 characters; cut them ourselves so the end reads well. */
    static String shorten(String description) {
        String text = description == null ? "" : description.replace('\n', ' ').strip();
        return text.length() <= 140 ? text : text.substring(0, 139) + "…";
    }
}
