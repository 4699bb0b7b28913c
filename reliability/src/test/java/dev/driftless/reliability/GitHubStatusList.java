package dev.driftless.reliability;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * GitHub's {@code GET /repos/{o}/{r}/statuses/{sha}} for a WireMock GitHub: the statuses posted to that commit so
 * far and answered 2xx, newest first, as GitHub lists them. The daemon asks it before sending again a status whose
 * earlier attempt's answer a kill cut off. Registered before the server starts, given the server after.
 */
final class GitHubStatusList implements ResponseDefinitionTransformerV2 {
    private volatile WireMockServer server;

    void server(WireMockServer server) {
        this.server = server;
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        var request = serveEvent.getRequest();
        String path = request.getUrl().split("\\?", 2)[0];
        if (!request.getMethod().getName().equals("GET") || !path.matches("/repos/[^/]+/[^/]+/statuses/[0-9a-f]{40}")) {
            return serveEvent.getResponseDefinition();
        }
        JsonArray list = new JsonArray();
        for (ServeEvent event : server.getAllServeEvents()) { // newest first
            if (event.getRequest().getMethod().getName().equals("POST") && event.getRequest().getUrl().equals(path)
                    && event.getResponse() != null && event.getResponse().getStatus() / 100 == 2) {
                JsonObject posted = new JsonObject(event.getRequest().getBodyAsString());
                list.add(posted.copy().put("id", list.size() + 1));
            }
        }
        return WireMock.aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(list.encode()).build();
    }

    @Override
    public boolean applyGlobally() {
        return true;
    }

    @Override
    public String getName() {
        return "github-status-list";
    }
}
