package dev.driftless.reconciler.notify;

import java.util.Locale;

/** How a notification is written: a signed JSON webhook, or a Slack incoming-webhook message. */
public enum NotificationFormat {
    JSON, SLACK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code json} or {@code slack}; anything else is a clear error. */
    public static NotificationFormat parse(String text) {
        for (NotificationFormat format : values()) {
            if (format.wireName().equals(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException("format must be json or slack, not '" + text + "'");
    }
}
