package dev.driftless.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bare domain outside /f/ belongs to the fallback (the dashboard); functions keep their routes. */
class GatewayFallbackTest {
    @TempDir
    Path data;

    @Test
    void bareDomainRequestsReachTheFallbackAndNothingElseDoes() throws Exception {
        try (GatewayHarness harness = new GatewayHarness(data, b -> b.fallback(
                ctx -> ctx.response().end("dashboard " + ctx.request().method() + " " + ctx.request().path())))) {
            harness.function("alice", "hello", "v1");
            RawHttps.Response dashboard = harness.client.get(harness.port(), "localhost", "/dashboard/alice");
            assertEquals(200, dashboard.status());
            assertEquals("dashboard GET /dashboard/alice", dashboard.text());
            assertEquals("dashboard GET /", harness.client.get(harness.port(), "localhost", "/").text());
            assertEquals(200, harness.client.get(harness.port(), "localhost", "/f/alice/hello").status());
            assertEquals(404, harness.client.get(harness.port(), "alice.localhost", "/dashboard").status(),
                    "an owner's subdomain never reaches the dashboard");
            assertEquals(400, harness.client.get(harness.port(), "localhost", "/dashboard/../x").status());
        }
    }
}
