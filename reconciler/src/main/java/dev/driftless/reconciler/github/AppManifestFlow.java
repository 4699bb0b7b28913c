package dev.driftless.reconciler.github;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.kohsuke.github.GHAppFromManifest;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;

/**
 * The GitHub App manifest flow, as Probot's and Argo CD's setup do it: a small page on loopback posts the
 * {@link AppManifest} to GitHub ({@code <web>/settings/apps/new}, or an organisation's), the operator confirms
 * on GitHub, GitHub redirects back to {@code /callback?code=…&state=…}, and the code is exchanged
 * ({@code GitHub.createAppFromManifest}: {@code POST /app-manifests/{code}/conversions}) for the App's id,
 * private key, webhook secret and OAuth client, which are stored in the data folder ({@link StoredGitHubApp}).
 * The code is good for one hour and one exchange; {@code state} is a random value checked in constant time,
 * so only the browser this flow started can complete it.
 */
public final class AppManifestFlow implements AutoCloseable {
    private final URI webUrl;
    private final URI apiUrl;
    private final Path data;
    private final String organization; // null: the operator's own account
    private final String name;
    private final URI publicUrl;
    private final URI dashboardUrl;
    private final String state = HexFormat.of().formatHex(random(16));
    private final CompletableFuture<StoredGitHubApp> created = new CompletableFuture<>();
    private HttpServer server;

    public AppManifestFlow(URI webUrl, URI apiUrl, Path data, String organization, String name, URI publicUrl, URI dashboardUrl) {
        this.webUrl = webUrl;
        this.apiUrl = apiUrl;
        this.data = data;
        this.organization = organization;
        this.name = name;
        this.publicUrl = publicUrl;
        this.dashboardUrl = dashboardUrl;
    }

    /** Starts the loopback page on {@code port} (0: any free port); returns its address to open in a browser. */
    public URI start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 8);
        server.createContext("/", this::handle);
        server.start();
        return URI.create("http://localhost:" + server.getAddress().getPort() + "/");
    }

    /** The manifest this flow registers (its redirect points at the loopback page once started). */
    public AppManifest manifest() {
        int port = server == null ? 0 : server.getAddress().getPort();
        return new AppManifest(name, publicUrl, java.util.Optional.ofNullable(dashboardUrl),
                URI.create("http://localhost:" + port + "/callback"));
    }

    /** Where the manifest is posted: the operator's account, or an organisation's settings. */
    public URI registrationUrl() {
        String web = webUrl.toString().replaceAll("/+$", "");
        String path = organization == null ? "/settings/apps/new" : "/organizations/" + organization + "/settings/apps/new";
        return URI.create(web + path + "?state=" + state);
    }

    /** Waits until GitHub came back and the App is stored. */
    public StoredGitHubApp await(Duration timeout) throws Exception {
        try {
            return created.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("GitHub did not come back within " + timeout.toMinutes() + " minutes; run the command again", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Exchanges a manifest code for the App's credentials and stores them: what the callback does, also
     * usable with a code copied by hand from the redirect's address ({@code --code}).
     */
    public static StoredGitHubApp exchange(URI apiUrl, Path data, String code) throws IOException {
        if (!validCode(code)) {
            throw new IllegalArgumentException("not a GitHub manifest code: '" + code + "'");
        }
        GitHub anonymous = new GitHubBuilder().withEndpoint(apiUrl.toString().replaceAll("/+$", ""))
                .withRateLimitHandler(GitHubRateLimitHandler.FAIL)
                .withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL)
                .build();
        GHAppFromManifest app = anonymous.createAppFromManifest(code);
        if (app.getId() <= 0 || app.getPem() == null || app.getPem().isBlank()) {
            throw new IOException("GitHub's answer to the manifest code had no App id or private key");
        }
        return StoredGitHubApp.write(data, app.getId(), app.getSlug(),
                app.getHtmlUrl() == null ? null : app.getHtmlUrl().toString(), app.getClientId(), app.getPem(),
                app.getWebhookSecret(), app.getClientSecret());
    }

    /** The shape of GitHub's manifest codes (what goes into the exchange's path). */
    public static boolean validCode(String code) {
        return code != null && code.matches("[A-Za-z0-9_-]{1,100}");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "<p>Only GET here.</p>");
            } else if ("/".equals(path)) {
                respond(exchange, 200, startPage());
            } else if ("/callback".equals(path)) {
                callback(exchange);
            } else {
                respond(exchange, 404, "<p>Not found.</p>");
            }
        }
    }

    private void callback(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String given = query.getOrDefault("state", "");
        if (!MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            respond(exchange, 400, "<p>This callback does not belong to the flow this command started (state does not match).</p>");
            return;
        }
        if (created.isDone()) {
            respond(exchange, 409, "<p>The App was already created by this flow.</p>");
            return;
        }
        try {
            StoredGitHubApp app = exchange(apiUrl, data, query.get("code"));
            String install = app.htmlUrl().map(u -> u + "/installations/new").orElse("");
            respond(exchange, 200, "<h1>GitHub App created</h1><p>App id " + app.id() + " and its key, webhook secret and OAuth"
                    + " client are stored in the data folder. The command has finished; start (or restart) <code>driftless serve</code>.</p>"
                    + (install.isEmpty() ? "" : "<p><a href=\"" + escape(install) + "\">Install the App on repositories</a></p>"));
            created.complete(app);
        } catch (IOException | RuntimeException e) {
            respond(exchange, 502, "<p>Exchanging the code with GitHub failed: " + escape(e.getMessage()) + "</p>");
            created.completeExceptionally(e);
        }
    }

    private String startPage() {
        String manifest = manifest().json().encode();
        return "<h1>Create the Driftless GitHub App</h1>"
                + "<p>This page sends the App's manifest to GitHub; confirm there and GitHub brings you back here.</p>"
                + "<form id=\"manifest\" method=\"post\" action=\"" + escape(registrationUrl().toString()) + "\">"
                + "<input type=\"hidden\" name=\"manifest\" value=\"" + escape(manifest) + "\">"
                + "<button type=\"submit\">Create the GitHub App " + escape(name) + "</button></form>";
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = ("<!doctype html><meta charset=\"utf-8\"><title>Driftless GitHub App</title>" + body)
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static byte[] random(int bytes) {
        byte[] value = new byte[bytes];
        new SecureRandom().nextBytes(value);
        return value;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
