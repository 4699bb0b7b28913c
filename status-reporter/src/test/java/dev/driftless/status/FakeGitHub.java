package dev.driftless.status;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An in-process WireMock standing in for the GitHub REST API, on a dynamic port. */
final class FakeGitHub implements AutoCloseable {
    final WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    FakeGitHub() {
        server.start();
    }

    String baseUrl() {
        return server.baseUrl();
    }

    /** Token exchange for any installation: {@code ghs_<id>} valid one hour from {@code now}. */
    FakeGitHub tokensValidFor1h(Instant now) {
        server.stubFor(post(urlPathMatching("/app/installations/(\\d+)/access_tokens"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(new JsonObject().put("token", "ghs_installation_token")
                                .put("expires_at", now.plusSeconds(3600).toString()).encode())));
        return this;
    }

    FakeGitHub statusesCreated() {
        server.stubFor(post(urlPathMatching("/repos/[^/]+/[^/]+/statuses/[0-9a-f]+"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{}")));
        return this;
    }

    /** Served requests, oldest first. */
    List<ServeEvent> served() {
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents()); // newest first
        Collections.reverse(events);
        return events;
    }

    List<ServeEvent> served(String pathPrefix) {
        return served().stream().filter(e -> e.getRequest().getUrl().startsWith(pathPrefix)).toList();
    }

    static JsonObject body(ServeEvent event) {
        return new JsonObject(event.getRequest().getBodyAsString());
    }

    @Override
    public void close() {
        server.stop();
    }
}
