package dev.driftless.webhook;

import java.util.Objects;

/**
 * The webhook secrets accepted right now: the current one and, during a rotation window, the previous
 * one. Rotating: set the new secret as current and the old one as previous, change the secret in GitHub's
 * webhook settings, then (once deliveries signed with the old one have stopped) drop the previous one.
 * Both are checked in constant time and always both, so timing tells nothing about which one matched.
 * Deliberately not a record: its {@code toString} must never show a secret.
 */
public final class WebhookSecrets {
    private final WebhookVerifier current;
    private final WebhookVerifier previous; // null outside a rotation

    private WebhookSecrets(WebhookVerifier current, WebhookVerifier previous) {
        this.current = current;
        this.previous = previous;
    }

    /** @param previous the secret being rotated out; {@code null} or blank outside a rotation */
    public static WebhookSecrets of(String current, String previous) {
        Objects.requireNonNull(current, "current");
        WebhookVerifier now = new WebhookVerifier(current);
        if (previous == null || previous.isBlank()) {
            return new WebhookSecrets(now, null);
        }
        if (previous.equals(current)) {
            throw new IllegalArgumentException("the previous webhook secret is the same as the current one");
        }
        return new WebhookSecrets(now, new WebhookVerifier(previous));
    }

    public boolean rotating() {
        return previous != null;
    }

    /** True when {@code header} is the signature of {@code body} with the current or the previous secret. */
    public boolean verify(byte[] body, String header) {
        boolean matchesCurrent = current.verify(body, header);
        // Non-short-circuit: the previous secret is checked even when the current one matched.
        boolean matchesPrevious = previous != null && previous.verify(body, header);
        return matchesCurrent | matchesPrevious;
    }

    @Override
    public String toString() {
        return "WebhookSecrets[current=<hidden>" + (previous == null ? "" : ", previous=<hidden>") + "]";
    }
}
