package dev.driftless.reliability;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WireMock GitHub having a bad time: while {@link #raging()}, most (or all) status posts (not the reads) get a 500, 502 or 503, or a
 * secondary rate limit (429 with {@code Retry-After}); the rest go through. Counts what it injected.
 */
final class GitHubStorm implements ResponseDefinitionTransformerV2 {
    private final AtomicBoolean raging = new AtomicBoolean();
    private final AtomicInteger injected = new AtomicInteger();
    private final Random random;
    private final int percent;

    /** A storm failing 80 % of status posts (some get through, as in a partial outage). */
    GitHubStorm(long seed) {
        this(seed, 80);
    }

    /** A storm failing {@code percent} % of status posts (100: GitHub down for status posts). */
    GitHubStorm(long seed, int percent) {
        this.random = new Random(seed);
        this.percent = percent;
    }

    void begin() {
        raging.set(true);
    }

    void end() {
        raging.set(false);
    }

    boolean raging() {
        return raging.get();
    }

    int injected() {
        return injected.get();
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        ResponseDefinition normal = serveEvent.getResponseDefinition();
        if (!raging.get() || !serveEvent.getRequest().getUrl().contains("/statuses/")
                || !serveEvent.getRequest().getMethod().getName().equals("POST")) {
            return normal;
        }
        int roll;
        synchronized (random) {
            roll = random.nextInt(100);
        }
        if (roll >= percent) {
            return normal;
        }
        injected.incrementAndGet();
        roll = roll * 80 / percent; // the same mix of answers whatever the share: 1/4 rate limits, 3/4 5xx
        if (roll < 20) {
            return com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(429).withHeader("Retry-After", "2")
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"You have exceeded a secondary rate limit.\"}").build();
        }
        int status = roll < 45 ? 500 : roll < 70 ? 502 : 503;
        return com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(status).withBody("storm").build();
    }

    @Override
    public boolean applyGlobally() {
        return true;
    }

    @Override
    public String getName() {
        return "github-storm";
    }
}
