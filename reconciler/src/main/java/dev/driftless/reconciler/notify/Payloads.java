package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.reconcile.ReconcileEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The bodies of notifications, rendered once when the event is recorded (every attempt sends the same bytes).
 *
 * <p>JSON: one object with the delivery id, the event and its facts. Slack: an incoming-webhook message with a
 * {@code text} fallback and Block Kit {@code blocks} (header, section with fields, context) within Slack's
 * documented limits: header text 150 characters, section text 3000, each field 2000 and at most 10 fields,
 * context at most 10 elements, at most 50 blocks; {@code &}, {@code <} and {@code >} escaped in text.
 */
public final class Payloads {
    static final int HEADER_MAX = 150;
    static final int SECTION_TEXT_MAX = 3000;
    static final int FIELD_MAX = 2000;
    static final int FALLBACK_MAX = 3000;

    private Payloads() { }

    public static String render(NotificationFormat format, String deliveryId, ReconcileEvent event) {
        return (format == NotificationFormat.SLACK ? slack(deliveryId, event) : json(deliveryId, event)).encode();
    }

    static JsonObject json(String deliveryId, ReconcileEvent event) {
        return new JsonObject()
                .put("delivery", deliveryId)
                .put("event", event.type().wireName())
                .put("time", event.at().toString())
                .put("owner", event.owner())
                .put("repository", event.repository())
                .put("function", event.function().orElse(null))
                .put("commit", event.commit().orElse(null))
                .put("build", event.build().orElse(null))
                .put("message", event.message())
                .put("url", event.url().orElse(null));
    }

    static JsonObject slack(String deliveryId, ReconcileEvent event) {
        String what = event.owner() + "/" + event.repository() + event.function().map(f -> " " + f).orElse("");
        String title = icon(event.type()) + " " + title(event.type()) + ": " + what;
        JsonArray fields = new JsonArray();
        fields.add(mrkdwn(clip("*Repository*\n" + escape(event.owner() + "/" + event.repository()), FIELD_MAX)));
        event.function().ifPresent(f -> fields.add(mrkdwn(clip("*Function*\n" + escape(f), FIELD_MAX))));
        event.commit().ifPresent(c -> fields.add(mrkdwn("*Commit*\n`" + escape(c.substring(0, Math.min(12, c.length())))
                + "`")));
        event.build().ifPresent(b -> fields.add(mrkdwn("*Build*\n" + b)));
        // <url|label>: Slack's link syntax; a URL cannot hold '|' or '>' unescaped, so escape it too. A long
        // message is cut, never the link.
        String link = event.url().map(u -> "\n<" + escape(u).replace("|", "%7C") + "|" + linkLabel(event.type()) + ">")
                .orElse("");
        String body = clip(escape(event.message()), SECTION_TEXT_MAX - link.length()) + link;
        JsonArray blocks = new JsonArray()
                .add(new JsonObject().put("type", "header").put("text", new JsonObject().put("type", "plain_text")
                        .put("text", clip(title, HEADER_MAX)).put("emoji", true)))
                .add(new JsonObject().put("type", "section").put("text", mrkdwn(clip(body, SECTION_TEXT_MAX)))
                        .put("fields", fields))
                .add(new JsonObject().put("type", "context").put("elements", new JsonArray()
                        .add(mrkdwn(escape(event.type().wireName() + " · " + event.at() + " · delivery " + deliveryId)))));
        return new JsonObject()
                .put("text", clip(title + ": " + event.message(), FALLBACK_MAX))
                .put("blocks", blocks);
    }

    private static JsonObject mrkdwn(String text) {
        return new JsonObject().put("type", "mrkdwn").put("text", text);
    }

    /** Slack's escaping of control characters in text: only these three. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** At most {@code max} characters (UTF-16 units, never splitting a surrogate pair), "…" when cut. */
    static String clip(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    private static String title(ReconcileEvent.Type type) {
        return switch (type) {
            case BUILD_STARTED -> "Build started";
            case BUILD_SUCCEEDED -> "Build succeeded";
            case BUILD_FAILED -> "Build failed";
            case ROLLOUT_FAILED -> "Rollout failed";
            case ROLLBACK -> "Rolled back";
            case PRUNE -> "Function removed";
        };
    }

    private static String icon(ReconcileEvent.Type type) {
        return switch (type) {
            case BUILD_STARTED -> ":hammer_and_wrench:";
            case BUILD_SUCCEEDED -> ":white_check_mark:";
            case BUILD_FAILED, ROLLOUT_FAILED -> ":x:";
            case ROLLBACK -> ":rewind:";
            case PRUNE -> ":wastebasket:";
        };
    }

    private static String linkLabel(ReconcileEvent.Type type) {
        return switch (type) {
            case BUILD_STARTED, BUILD_FAILED, ROLLOUT_FAILED -> "Build log";
            case BUILD_SUCCEEDED -> "Repository";
            case ROLLBACK, PRUNE -> "Open";
        };
    }
}
