package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.reconcile.ReconcileEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slack messages against a JSON Schema of Slack's documented incoming-webhook message and the Block Kit blocks
 * we use ({@code slack/incoming-webhook-message.schema.json}, limits cited in it), validated with Vert.x's
 * JSON Schema validator (draft 2020-12): every event type, a message too long for a section, text that needs
 * escaping. The schema itself is checked to refuse what Slack refuses.
 */
class SlackPayloadSchemaTest {
    private static final Validator VALIDATOR = validator();

    private static Validator validator() {
        try (InputStream in = SlackPayloadSchemaTest.class.getResourceAsStream("/slack/incoming-webhook-message.schema.json")) {
            JsonSchema schema = JsonSchema.of(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            return Validator.create(schema, new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
                    .setBaseUri("https://driftless.dev/schemas/"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ReconcileEvent event(ReconcileEvent.Type type, String message) {
        return new ReconcileEvent(type, "alice", "fns", Optional.of("hello"),
                Optional.of("0123456789abcdef0123456789abcdef01234567"), Optional.of(12L), message,
                Optional.of("https://localhost:8443/dashboard/alice/builds/12"), Instant.parse("2026-12-03T14:00:00Z"));
    }

    private static void assertValid(JsonObject message) {
        OutputUnit result = VALIDATOR.validate(message);
        assertTrue(result.getValid(), () -> "not a valid Slack message: " + result.getErrors() + "\n" + message.encodePrettily());
    }

    @Test
    void everyEventTypeIsAValidMessage() {
        for (ReconcileEvent.Type type : ReconcileEvent.Type.values()) {
            JsonObject message = new JsonObject(Payloads.render(NotificationFormat.SLACK, "d-1", event(type, "it happened")));
            assertValid(message);
            assertTrue(message.getString("text").contains("alice/fns"), "the fallback names the repository");
        }
    }

    @Test
    void aHugeMessageIsClippedWithinTheLimits() {
        String huge = "x".repeat(10_000) + "😀".repeat(2000);
        JsonObject message = Payloads.slack("d-2", event(ReconcileEvent.Type.BUILD_FAILED, huge));
        assertValid(message);
        JsonArray blocks = message.getJsonArray("blocks");
        String section = blocks.getJsonObject(1).getJsonObject("text").getString("text");
        assertTrue(section.length() <= 3000, "section text " + section.length());
        assertTrue(section.endsWith("…\n<https://localhost:8443/dashboard/alice/builds/12|Build log>"), "cut, never the link");
        assertTrue(message.getString("text").length() <= Payloads.FALLBACK_MAX);
    }

    @Test
    void textIsEscapedSoNoMarkupComesFromTheEvent() {
        JsonObject message = Payloads.slack("d-3", event(ReconcileEvent.Type.ROLLOUT_FAILED,
                "<!channel> & <http://evil|click> failed"));
        assertValid(message);
        String section = message.getJsonArray("blocks").getJsonObject(1).getJsonObject("text").getString("text");
        assertTrue(section.startsWith("&lt;!channel&gt; &amp; &lt;http://evil|click&gt; failed"), section);
        assertEquals(1, section.chars().filter(c -> c == '<').count(), "only our own link: " + section);
        assertTrue(section.endsWith("<https://localhost:8443/dashboard/alice/builds/12|Build log>"), section);
    }

    @Test
    void theSchemaRefusesWhatSlackRefuses() {
        JsonObject good = Payloads.slack("d-4", event(ReconcileEvent.Type.BUILD_SUCCEEDED, "ok"));
        JsonObject longHeader = good.copy();
        longHeader.getJsonArray("blocks").getJsonObject(0).getJsonObject("text").put("text", "h".repeat(151));
        assertFalse(VALIDATOR.validate(longHeader).getValid(), "header over 150 characters");
        JsonObject markdownHeader = good.copy();
        markdownHeader.getJsonArray("blocks").getJsonObject(0).getJsonObject("text").put("type", "mrkdwn");
        assertFalse(VALIDATOR.validate(markdownHeader).getValid(), "a header is plain_text only");
        JsonObject elevenFields = good.copy();
        JsonArray fields = new JsonArray();
        for (int i = 0; i < 11; i++) {
            fields.add(new JsonObject().put("type", "mrkdwn").put("text", "f" + i));
        }
        elevenFields.getJsonArray("blocks").getJsonObject(1).put("fields", fields);
        assertFalse(VALIDATOR.validate(elevenFields).getValid(), "at most 10 fields");
        JsonObject noText = good.copy();
        noText.remove("text");
        assertFalse(VALIDATOR.validate(noText).getValid(), "text is the notification fallback");
        JsonObject tooMany = good.copy();
        JsonArray blocks = new JsonArray();
        for (int i = 0; i < 51; i++) {
            blocks.add(new JsonObject().put("type", "divider"));
        }
        tooMany.put("blocks", blocks);
        assertFalse(VALIDATOR.validate(tooMany).getValid(), "at most 50 blocks");
    }

    @Test
    void theJsonFormatCarriesTheEventsFacts() {
        JsonObject json = new JsonObject(Payloads.render(NotificationFormat.JSON, "d-5", event(ReconcileEvent.Type.ROLLBACK,
                "hello rolled back")));
        assertEquals("d-5", json.getString("delivery"));
        assertEquals("rollback", json.getString("event"));
        assertEquals("hello", json.getString("function"));
        assertEquals(12L, json.getLong("build"));
        assertEquals("2026-12-03T14:00:00Z", json.getString("time"));
    }
}
