package dev.driftless.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
    private static final String SECRET = "It's a Secret to Everybody";
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final String GITHUB_VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private final WebhookVerifier verifier = new WebhookVerifier(SECRET);

    @Test
    void signsGitHubsDocumentedVector() {
        assertEquals(GITHUB_VECTOR, verifier.sign(BODY));
    }

    @Test
    void acceptsGitHubsDocumentedVector() {
        assertTrue(verifier.verify(BODY, GITHUB_VECTOR));
        assertTrue(verifier.verify(BODY, GITHUB_VECTOR.toUpperCase().replace("SHA256=", "sha256=")));
    }

    @Test
    void refusesTamperedBody() {
        assertFalse(verifier.verify("Hello, World?".getBytes(StandardCharsets.UTF_8), GITHUB_VECTOR));
    }

    @Test
    void refusesTamperedSignatureOtherSecretAndMalformedHeaders() {
        assertFalse(verifier.verify(BODY, GITHUB_VECTOR.substring(0, GITHUB_VECTOR.length() - 1) + "f"));
        assertFalse(new WebhookVerifier("another secret").verify(BODY, GITHUB_VECTOR));
        assertFalse(verifier.verify(BODY, GITHUB_VECTOR.replace("sha256=", "sha1=")));
        assertFalse(verifier.verify(BODY, GITHUB_VECTOR.substring("sha256=".length())));
        assertFalse(verifier.verify(BODY, "sha256=not-hex"));
        assertFalse(verifier.verify(BODY, "sha256="));
        assertFalse(verifier.verify(BODY, null));
    }

    @Test
    void neverShowsTheSecretAndRefusesAnEmptyOne() {
        assertFalse(verifier.toString().contains("Secret"));
        assertThrows(IllegalArgumentException.class, () -> new WebhookVerifier(""));
    }
}
