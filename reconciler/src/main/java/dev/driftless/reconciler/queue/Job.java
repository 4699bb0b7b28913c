package dev.driftless.reconciler.queue;

import java.util.Optional;

/**
 * A claimed job, as a handler sees it.
 *
 * @param seq      the per-key enqueue sequence of the newest request folded into this job
 * @param attempts how many times it was claimed, this claim included
 */
public record Job(long id, JobKind kind, String owner, String repository, Optional<String> branch,
                  Optional<String> headSha, JobReason reason, Optional<String> payload, String key,
                  long seq, int attempts, String leaseOwner) { }
