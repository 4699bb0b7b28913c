package dev.driftless.status;

/** What {@link StatusOutbox#enqueue} did with a status. */
public enum EnqueueResult {
    /** Written to the outbox; the sender will post it to GitHub. */
    QUEUED,
    /** Recorded in the store only (target LOCAL: a push through the built-in git endpoint). */
    RECORDED_LOCAL,
    /** Same state and description as the last one for this commit and context: nothing to post. */
    DUPLICATE,
    /** A newer commit of the branch already reported on this context: the status was dropped. */
    SUPERSEDED
}
