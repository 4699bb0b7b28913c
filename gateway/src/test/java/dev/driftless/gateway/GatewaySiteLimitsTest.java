package dev.driftless.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the fallback serves on the HTTPS port (login, dashboard and API, git) is limited per client too, each
 * area with its own rate and burst, so that guessing passwords at POST /login does not cost the dashboard.
 */
class GatewaySiteLimitsTest {
    @TempDir
    Path data;

    private GatewayHarness harness(TrustedProxies proxies) throws Exception {
        return new GatewayHarness(data, b -> b
                .fallback(ctx -> ctx.response().end("site " + ctx.request().method() + " " + ctx.request().path()))
                .siteRateLimit(SiteArea.LOGIN, new RateLimit(6, 2))
                .siteRateLimit(SiteArea.DASHBOARD, new RateLimit(60, 3))
                .siteRateLimit(SiteArea.GIT, new RateLimit(60, 4))
                .trustedProxies(proxies));
    }

    @Test
    void loginAttemptsHaveTheirOwnStrictBucketWithRetryAfter() throws Exception {
        try (GatewayHarness harness = harness(TrustedProxies.none())) {
            for (int i = 0; i < 2; i++) {
                assertEquals(200, login(harness, null).status(), "attempt " + (i + 1));
            }
            RawHttps.Response limited = login(harness, null);
            assertEquals(429, limited.status());
            assertEquals("{\"error\":\"too many requests\"}", limited.text());
            int retryAfter = Integer.parseInt(limited.header("Retry-After"));
            assertTrue(retryAfter >= 9 && retryAfter <= 10, "one attempt per 10 s: Retry-After " + retryAfter);

            // The login page itself, the dashboard and git each have their own buckets.
            for (int i = 0; i < 3; i++) {
                assertEquals(200, harness.client.get(harness.port(), "localhost", "/dashboard/alice").status());
            }
            assertEquals(429, harness.client.get(harness.port(), "localhost", "/login").status(),
                    "the dashboard's burst of 3 is used up (GET /login is a page like the others)");
            for (int i = 0; i < 4; i++) {
                assertEquals(200, harness.client.get(harness.port(), "localhost", "/git/alice/fns.git/info/refs").status());
            }
            assertEquals(429, harness.client.get(harness.port(), "localhost", "/git/alice/fns.git/info/refs").status());
            assertTrue(harness.metricsText().contains("driftless_gateway_refused_total{reason=\"login_rate\"} 1.0"),
                    harness.metricsText());
        }
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnLoginBucket() throws Exception {
        TrustedProxies ingress = TrustedProxies.of(List.of(TrustedProxies.Range.parse("127.0.0.0/8")));
        try (GatewayHarness harness = harness(ingress)) {
            assertEquals(200, login(harness, "203.0.113.1").status());
            assertEquals(200, login(harness, "203.0.113.1").status());
            assertEquals(429, login(harness, "203.0.113.1").status());
            assertEquals(200, login(harness, "203.0.113.2").status(), "another client behind the Ingress may log in");
        }
    }

    @Test
    void areasAreTellingApart() {
        assertEquals(SiteArea.LOGIN, SiteArea.of("POST", "/login"));
        assertEquals(SiteArea.DASHBOARD, SiteArea.of("GET", "/login"));
        assertEquals(SiteArea.DASHBOARD, SiteArea.of("POST", "/api/v1/owners/alice/functions/hello/rollback"));
        assertEquals(SiteArea.DASHBOARD, SiteArea.of("GET", "/badge/alice/fns.svg"));
        assertEquals(SiteArea.GIT, SiteArea.of("POST", "/git/alice/fns.git/git-receive-pack"));
        assertEquals(SiteArea.DASHBOARD, SiteArea.of("GET", "/gitx"));
    }

    private static RawHttps.Response login(GatewayHarness harness, String forwardedFor) throws Exception {
        String body = "token=wrong";
        return harness.client.send(harness.port(), "localhost", "POST /login HTTP/1.1\r\nHost: localhost\r\n"
                + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n")
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body, null);
    }
}
