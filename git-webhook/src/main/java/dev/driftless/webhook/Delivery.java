package dev.driftless.webhook;

import java.time.Instant;

/**
 * One verified webhook delivery: its {@code X-GitHub-Delivery} id (the dedupe key), the event name
 * from {@code X-GitHub-Event}, when it arrived, and the parsed event.
 */
public record Delivery(String id, String eventName, Instant receivedAt, GitHubEvent event) { }
