package dev.driftless.dashboard;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;

/**
 * The connector of one sign-in's github-api client: github-api follows {@code Link: rel="next"} wherever
 * it points, so this is where the user's token is kept on the configured API. A page outside it ends the
 * list (an empty page answers instead, and nothing is sent), as does a page past {@link #MAX_PAGES}
 * (a bound on a hostile answer). The organisations' first page asks for 100 a page.
 */
final class SignInConnector implements GitHubConnector {
    /** 10 pages of 100: more organisations than anyone belongs to. */
    static final int MAX_PAGES = 10;

    private final GitHubConnector delegate;
    private final String api;
    private final AtomicInteger orgPages = new AtomicInteger();

    SignInConnector(GitHubConnector delegate, URI api) {
        this.delegate = delegate;
        this.api = api.toString();
    }

    @Override
    public GitHubConnectorResponse send(GitHubConnectorRequest request) throws IOException {
        String url = request.url().toString();
        if (!url.startsWith(api + "/")) {
            return emptyPage(request);
        }
        if (url.startsWith(api + "/user/orgs")) {
            if (orgPages.incrementAndGet() > MAX_PAGES) {
                return emptyPage(request);
            }
            if (!url.contains("per_page=")) {
                return delegate.send(withUrl(request, url + (url.contains("?") ? "&" : "?") + "per_page=100"));
            }
        }
        return delegate.send(request);
    }

    private static GitHubConnectorResponse emptyPage(GitHubConnectorRequest request) {
        return new GitHubConnectorResponse(request, 200, Map.of("Content-Type", List.of("application/json"))) {
            @Override
            protected InputStream rawBodyStream() {
                return new ByteArrayInputStream("[]".getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    private static GitHubConnectorRequest withUrl(GitHubConnectorRequest request, String url) throws MalformedURLException {
        URL changed = URI.create(url).toURL();
        return new GitHubConnectorRequest() {
            @Override public Map<String, List<String>> allHeaders() { return request.allHeaders(); }
            @Override public InputStream body() { return request.body(); }
            @Override public String contentType() { return request.contentType(); }
            @Override public boolean hasBody() { return request.hasBody(); }
            @Override public String header(String name) { return request.header(name); }
            @Override public String method() { return request.method(); }
            @Override public URL url() { return changed; }
        };
    }
}
