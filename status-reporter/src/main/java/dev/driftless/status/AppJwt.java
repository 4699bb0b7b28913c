package dev.driftless.status;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The JSON Web Token a GitHub App authenticates with: RS256, {@code iss} = app id, {@code iat} 60 s in
 * the past (GitHub's advice against clock drift) and {@code exp} 9 minutes ahead (GitHub refuses more
 * than 10; one minute of margin for our own clock).
 */
final class AppJwt {
    static final Duration BACKDATE = Duration.ofSeconds(60);
    static final Duration LIFETIME = Duration.ofMinutes(9);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final long appId;
    private final GitHubAppKey key;
    private final Clock clock;

    AppJwt(long appId, GitHubAppKey key, Clock clock) {
        if (appId <= 0) {
            throw new IllegalArgumentException("GitHub App id must be positive, got " + appId);
        }
        this.appId = appId;
        this.key = key;
        this.clock = clock;
    }

    String create() {
        Instant now = clock.instant();
        JsonObject claims = new JsonObject()
                .put("iat", now.minus(BACKDATE).getEpochSecond())
                .put("exp", now.plus(LIFETIME).getEpochSecond())
                .put("iss", String.valueOf(appId));
        String signingInput = HEADER + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key.privateKey());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the GitHub App JWT: " + e.getClass().getSimpleName(), e);
        }
    }
}
