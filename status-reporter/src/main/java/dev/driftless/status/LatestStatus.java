package dev.driftless.status;

import java.time.Instant;

/** The latest recorded state of one context on one commit, for dashboards and badges. */
public record LatestStatus(String sha, String branch, String context, CommitStatus.State state,
                           String description, String targetUrl, Instant updatedAt) {}
