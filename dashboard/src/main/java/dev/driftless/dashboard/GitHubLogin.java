package dev.driftless.dashboard;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.HttpException;
import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;

/**
 * The server side of a GitHub sign-in: trades the callback's code for an access token, then asks GitHub
 * who the user is and which organisations they belong to, through kohsuke github-api
 * ({@code GitHub.getMyself()}, {@code GitHub.getMyOrganizations()}). The code exchange is GitHub's web
 * OAuth endpoint, not the REST API, so it goes through github-api's connector directly. Blocking: run it on
 * a worker pool. The access token lives only for the length of {@link #signIn}.
 */
final class GitHubLogin {
    /** Connecting plus answering, per request. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_BODY = 1024 * 1024;
    private static final Pattern LOGIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");

    /** Who signed in, names lower-cased to match Driftless owners. */
    record Identity(String login, Set<String> orgs) {
        Identity {
            orgs = Set.copyOf(orgs);
        }

        /** Sees its own functions and those of its organisations. */
        Principal principal() {
            Set<String> owners = new LinkedHashSet<>();
            owners.add(login);
            owners.addAll(orgs);
            return new Principal(login, false, owners);
        }
    }

    /** A sign-in GitHub did not complete: {@code userMessage} is for the login page, {@code reason} for the log. */
    static final class Failed extends Exception {
        private final String userMessage;

        private final int status;

        Failed(int status, String userMessage, String reason) {
            super(reason, null, false, false);
            this.status = status;
            this.userMessage = userMessage;
        }

        /** 401 when GitHub refused the sign-in, 502 when GitHub failed or answered something unusable. */
        int status() {
            return status;
        }

        String userMessage() {
            return userMessage;
        }
    }

    private final GitHubOAuth config;
    private final GitHubConnector connector;

    GitHubLogin(GitHubOAuth config) {
        this(config, new DeadlineConnector(GitHubConnector.DEFAULT, TIMEOUT));
    }

    GitHubLogin(GitHubOAuth config, GitHubConnector connector) {
        this.config = config;
        this.connector = connector;
    }

    Identity signIn(String code) throws Failed {
        String token = exchange(code);
        GitHub github = client(token);
        String login = user(github);
        return new Identity(login, orgs(github));
    }

    /** A client for this sign-in only, acting with the user's token, failing fast on rate limits. */
    private GitHub client(String token) throws Failed {
        try {
            return new GitHubBuilder().withEndpoint(config.api().toString())
                    .withConnector(new SignInConnector(connector, config.api()))
                    .withRateLimitHandler(GitHubRateLimitHandler.FAIL)
                    .withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL)
                    .withAuthorizationProvider(() -> "Bearer " + token)
                    .build();
        } catch (IOException e) {
            throw new Failed(502, "Could not reach GitHub. Try again later.", "client_setup " + e.getClass().getSimpleName());
        }
    }

    private String exchange(String code) throws Failed {
        String form = form(Map.of("client_id", config.clientId(), "client_secret", config.clientSecret(),
                "code", code, "redirect_uri", config.callback().toString()));
        Answer answer = post(URI.create(config.web() + "/login/oauth/access_token"), form, "token_exchange");
        if (answer.status() != 200) {
            throw unexpected("token_exchange", answer.status());
        }
        JsonObject body = object(answer, "token_exchange");
        Object sent = body.getValue("error");
        if (sent != null) {
            // GitHub's error codes are snake_case words; anything else is not echoed into pages or logs.
            String error = sent instanceof String text && text.matches("[a-z_]{1,64}") ? text : "unknown_error";
            throw new Failed(401, switch (error) {
                case "bad_verification_code" ->
                        "GitHub did not accept the sign-in code: it has expired or was used already. Sign in again.";
                case "incorrect_client_credentials" ->
                        "GitHub did not accept this server's OAuth client; the administrator must check its client id and secret.";
                case "redirect_uri_mismatch" ->
                        "GitHub says the callback URL does not match the one registered for the OAuth client.";
                default -> "GitHub refused the sign-in (" + error + "). Sign in again.";
            }, "token_exchange_error=" + error);
        }
        String token = body.getString("access_token");
        if (token == null || token.isBlank()) {
            throw new Failed(502, "GitHub's answer had no access token. Sign in again.", "token_exchange_no_token");
        }
        return token;
    }

    private String user(GitHub github) throws Failed {
        String login;
        try {
            login = github.getMyself().getLogin();
        } catch (IOException e) {
            throw failed("user", e);
        }
        if (login == null || !LOGIN.matcher(login).matches()) {
            throw new Failed(502, "GitHub's answer did not name a valid user.", "user_bad_login");
        }
        return login.toLowerCase(Locale.ROOT);
    }

    private Set<String> orgs(GitHub github) throws Failed {
        Set<String> orgs = new LinkedHashSet<>();
        try {
            // getMyOrganizations: GET /user/orgs only (getAllOrganizations would also fetch each organisation).
            for (String login : github.getMyOrganizations().keySet()) {
                if (login != null && LOGIN.matcher(login).matches()) {
                    orgs.add(login.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw failed("orgs", e);
        }
        return orgs;
    }

    /** github-api's failure as the sign-in's: GitHub's answer code (HttpException), else unreachable. */
    private static Failed failed(String step, IOException e) {
        if (e instanceof HttpException http && http.getResponseCode() >= 100) {
            return unexpected(step, http.getResponseCode());
        }
        if (e instanceof GHFileNotFoundException) {
            return unexpected(step, 404);
        }
        return new Failed(502, "Could not reach GitHub. Try again later.", step + "_unreachable " + e.getClass().getSimpleName());
    }

    private record Answer(int status, String body) { }

    /** A form POST to GitHub's web OAuth endpoint through github-api's connector (it does not follow redirects). */
    private Answer post(URI uri, String form, String step) throws Failed {
        byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
        URL url;
        try {
            url = uri.toURL();
        } catch (IOException | IllegalArgumentException e) {
            throw new Failed(502, "The GitHub address is not valid.", step + "_bad_url");
        }
        Map<String, List<String>> headers = Map.of(
                "Accept", List.of("application/json"),
                "Content-Type", List.of("application/x-www-form-urlencoded"),
                "User-Agent", List.of("driftless"));
        GitHubConnectorRequest request = new GitHubConnectorRequest() {
            @Override public Map<String, List<String>> allHeaders() { return headers; }
            @Override public InputStream body() { return new ByteArrayInputStream(bytes); }
            @Override public String contentType() { return "application/x-www-form-urlencoded"; }
            @Override public boolean hasBody() { return true; }
            @Override public String header(String name) {
                return headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                        .map(h -> h.getValue().get(0)).findFirst().orElse(null);
            }
            @Override public String method() { return "POST"; }
            @Override public URL url() { return url; }
        };
        try (GitHubConnectorResponse response = connector.send(request);
             InputStream in = response.bodyStream()) {
            byte[] body = in == null ? new byte[0] : in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new Failed(502, "GitHub's answer was too large. Try again later.", step + "_too_large");
            }
            return new Answer(response.statusCode(), new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failed(502, "Could not reach GitHub. Try again later.",
                    step + "_unreachable " + e.getClass().getSimpleName());
        }
    }

    private static JsonObject object(Answer answer, String step) throws Failed {
        try {
            return new JsonObject(answer.body());
        } catch (DecodeException | ClassCastException e) {
            throw new Failed(502, "GitHub's answer could not be read. Try again later.", step + "_not_json");
        }
    }

    private static Failed unexpected(String step, int status) {
        String message = status == 401 || status == 403
                ? "GitHub did not accept the sign-in (it answered " + status + "). Sign in again."
                : "GitHub answered " + status + " during the sign-in. Try again later.";
        return new Failed(status == 401 || status == 403 ? 401 : 502, message, step + "_status=" + status);
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
