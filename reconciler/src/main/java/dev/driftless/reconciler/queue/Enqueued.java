package dev.driftless.reconciler.queue;

/**
 * The result of an enqueue.
 *
 * @param coalesced true when the request was folded into a job already queued for the same key
 */
public record Enqueued(long jobId, long seq, boolean coalesced) { }
