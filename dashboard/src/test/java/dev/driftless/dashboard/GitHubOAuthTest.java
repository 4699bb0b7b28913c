package dev.driftless.dashboard;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GitHubOAuthTest {
    private static final URI CALLBACK = URI.create("https://example.com/login/github/callback");

    @Test
    void githubDotComDefaults() {
        GitHubOAuth config = GitHubOAuth.github("id", "secret-value", CALLBACK);
        assertEquals(URI.create("https://github.com"), config.web());
        assertEquals(URI.create("https://api.github.com"), config.api());
    }

    @Test
    void enterpriseServerHasItsApiUnderApiV3() {
        GitHubOAuth config = GitHubOAuth.enterprise("id", "secret-value", URI.create("https://ghe.example.com/"), CALLBACK);
        assertEquals(URI.create("https://ghe.example.com"), config.web());
        assertEquals(URI.create("https://ghe.example.com/api/v3"), config.api());
    }

    @Test
    void toStringHidesTheSecret() {
        String text = GitHubOAuth.github("id", "secret-value", CALLBACK).toString();
        assertFalse(text.contains("secret-value"), text);
        assertTrue(text.contains("clientSecret=***"), text);
    }

    @Test
    void refusesACallbackTheDashboardDoesNotAnswerOnAndMissingCredentials() {
        assertThrows(IllegalArgumentException.class,
                () -> GitHubOAuth.github("id", "s", URI.create("https://example.com/oauth/callback")));
        assertThrows(IllegalArgumentException.class,
                () -> GitHubOAuth.github("id", "s", URI.create("https://example.com/login/github/callback?x=1")));
        assertThrows(IllegalArgumentException.class, () -> GitHubOAuth.github("id", " ", CALLBACK));
        assertThrows(IllegalArgumentException.class, () -> GitHubOAuth.github("", "s", CALLBACK));
        assertThrows(IllegalArgumentException.class, () -> new GitHubOAuth("id", "s", URI.create("ftp://github.com"),
                URI.create("https://api.github.com"), CALLBACK));
    }
}
