package dev.driftless.webhook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSecretsTest {
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    /** GitHub's documented vector: secret "It's a Secret to Everybody". */
    private static final String GITHUB_VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Test
    void duringARotationBothSecretsAreAcceptedAndNothingElse() {
        WebhookSecrets rotating = WebhookSecrets.of("the new secret", "It's a Secret to Everybody");
        assertTrue(rotating.rotating());
        assertTrue(rotating.verify(BODY, GITHUB_VECTOR), "signed with the previous secret");
        assertTrue(rotating.verify(BODY, new WebhookVerifier("the new secret").sign(BODY)), "signed with the current secret");
        assertFalse(rotating.verify(BODY, new WebhookVerifier("a third secret").sign(BODY)));
        assertFalse(rotating.verify(BODY, null));
        assertFalse(rotating.verify(BODY, "sha256=zz"));
    }

    @Test
    void afterTheRotationOnlyTheCurrentSecretIsAccepted() {
        WebhookSecrets after = WebhookSecrets.of("the new secret", null);
        assertFalse(after.rotating());
        assertFalse(after.verify(BODY, GITHUB_VECTOR));
        assertTrue(after.verify(BODY, new WebhookVerifier("the new secret").sign(BODY)));
        assertFalse(WebhookSecrets.of("the new secret", " ").rotating(), "a blank previous secret means no rotation");
    }

    @Test
    void refusesAPreviousSecretEqualToTheCurrentAndNeverShowsEither() {
        assertThrows(IllegalArgumentException.class, () -> WebhookSecrets.of("same", "same"));
        assertThrows(IllegalArgumentException.class, () -> WebhookSecrets.of("", "old"));
        String shown = WebhookSecrets.of("current-secret", "previous-secret").toString();
        assertFalse(shown.contains("current-secret") || shown.contains("previous-secret"), shown);
    }
}
