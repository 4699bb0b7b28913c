package dev.driftless.reconciler.github;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The GitHub App manifest Driftless registers itself with (docs.github.com, "Registering a GitHub App
 * from a manifest"): the permissions it needs (commit statuses and checks to write, contents and metadata
 * to read the pushed commit, pull requests to read) and the events it handles. GitHub sends
 * {@code installation} and {@code installation_repositories} to every App without a subscription; they
 * are listed in {@link #ALWAYS_SENT_EVENTS}, not in {@code default_events} (GitHub refuses them there).
 *
 * @param name         the App's name on GitHub (unique on GitHub)
 * @param publicUrl    where people reach the daemon's HTTP port from GitHub (the webhook goes to {@code /webhooks/github})
 * @param dashboardUrl where people reach the dashboard (HTTPS port): adds the "Sign in with GitHub" callback; may be empty
 * @param redirectUrl  where GitHub sends the browser back with the code to exchange
 */
public record AppManifest(String name, URI publicUrl, Optional<URI> dashboardUrl, URI redirectUrl) {
    public static final List<String> EVENTS = List.of("push", "pull_request");
    public static final List<String> ALWAYS_SENT_EVENTS = List.of("installation", "installation_repositories");
    static final String OAUTH_CALLBACK_PATH = "/login/github/callback";

    public AppManifest {
        if (name == null || name.isBlank() || name.length() > 34) {
            throw new IllegalArgumentException("the App name must be 1 to 34 characters (GitHub's limit), got '" + name + "'");
        }
        requireHttp(publicUrl, "--url");
        dashboardUrl.ifPresent(u -> requireHttp(u, "--dashboard-url"));
        requireHttp(redirectUrl, "redirect URL");
    }

    public JsonObject json() {
        JsonObject manifest = new JsonObject()
                .put("name", name)
                .put("url", base(publicUrl))
                .put("hook_attributes", new JsonObject().put("url", base(publicUrl) + "/webhooks/github").put("active", true))
                .put("redirect_url", redirectUrl.toString())
                .put("public", false)
                .put("default_permissions", new JsonObject()
                        .put("statuses", "write")
                        .put("checks", "write")
                        .put("contents", "read")
                        .put("metadata", "read")
                        .put("pull_requests", "read"))
                .put("default_events", new JsonArray(EVENTS));
        dashboardUrl.ifPresent(d -> manifest.put("callback_urls", new JsonArray().add(base(d) + OAUTH_CALLBACK_PATH)));
        return manifest;
    }

    private static String base(URI uri) {
        return uri.toString().replaceAll("/+$", "");
    }

    private static void requireHttp(URI uri, String what) {
        if (uri == null || !uri.isAbsolute() || uri.getHost() == null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
            throw new IllegalArgumentException(what + " must be an absolute http(s) URL, got " + uri);
        }
    }
}
