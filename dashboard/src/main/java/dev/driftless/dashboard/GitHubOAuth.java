package dev.driftless.dashboard;

import java.net.URI;
import java.util.Objects;

/**
 * How the dashboard signs people in with GitHub (OAuth authorization code flow): the OAuth client of
 * the GitHub App (or OAuth App), where GitHub lives, and the public callback URL registered with it.
 * {@link #toString()} hides the client secret so the record can be logged.
 *
 * @param clientId     the OAuth client id
 * @param clientSecret the OAuth client secret; never logged nor shown
 * @param web          GitHub's web base URL: {@code https://github.com}, or {@code https://host} for GHES
 * @param api          GitHub's REST API base URL: {@code https://api.github.com}, or {@code https://host/api/v3}
 * @param callback     the public callback URL registered with the client, e.g.
 *                     {@code https://example.com/login/github/callback}; its path must be {@value #CALLBACK_PATH}
 */
public record GitHubOAuth(String clientId, String clientSecret, URI web, URI api, URI callback) {
    /** The path the dashboard answers GitHub's redirect on. */
    public static final String CALLBACK_PATH = "/login/github/callback";

    public GitHubOAuth {
        requireText(clientId, "clientId");
        requireText(clientSecret, "clientSecret");
        web = base(web, "web");
        api = base(api, "api");
        Objects.requireNonNull(callback, "callback");
        requireHttp(callback, "callback");
        if (!CALLBACK_PATH.equals(callback.getPath()) || callback.getRawQuery() != null || callback.getRawFragment() != null) {
            throw new IllegalArgumentException("callback must be <public base URL>" + CALLBACK_PATH + ", not " + callback);
        }
    }

    /** github.com. */
    public static GitHubOAuth github(String clientId, String clientSecret, URI callback) {
        return new GitHubOAuth(clientId, clientSecret, URI.create("https://github.com"),
                URI.create("https://api.github.com"), callback);
    }

    /** GitHub Enterprise Server at {@code https://host}: the API is under {@code /api/v3}. */
    public static GitHubOAuth enterprise(String clientId, String clientSecret, URI server, URI callback) {
        URI web = base(server, "server");
        return new GitHubOAuth(clientId, clientSecret, web, URI.create(web + "/api/v3"), callback);
    }

    @Override
    public String toString() {
        return "GitHubOAuth[clientId=" + clientId + ", clientSecret=***, web=" + web + ", api=" + api
                + ", callback=" + callback + "]";
    }

    /** Without a trailing slash, so paths can be appended as {@code base + "/path"}. */
    private static URI base(URI uri, String name) {
        Objects.requireNonNull(uri, name);
        requireHttp(uri, name);
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(name + " must be a base URL without query or fragment: " + uri);
        }
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text);
    }

    private static void requireHttp(URI uri, String name) {
        String scheme = uri.getScheme();
        if (!("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme)) || uri.getHost() == null) {
            throw new IllegalArgumentException(name + " must be an absolute http(s) URL: " + uri);
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
