package dev.driftless.dashboard;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The server side of a GitHub sign-in: trades the callback's code for an access token, then asks GitHub
 * who the user is and which organisations they belong to. Blocking (JDK {@link HttpClient}): run it on
 * a worker pool. The access token lives only for the length of {@link #signIn}.
 */
final class GitHubLogin {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_BODY = 1024 * 1024;
    /** 10 pages of 100: more organisations than anyone belongs to, and a bound on a hostile answer. */
    private static final int MAX_ORG_PAGES = 10;
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
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
    private final HttpClient http;

    GitHubLogin(GitHubOAuth config) {
        this.config = config;
        // Never follow redirects: a redirect must not carry the bearer token to another host.
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Identity signIn(String code) throws Failed {
        String token = exchange(code);
        String login = user(token);
        return new Identity(login, orgs(token));
    }

    private String exchange(String code) throws Failed {
        String form = form(Map.of("client_id", config.clientId(), "client_secret", config.clientSecret(),
                "code", code, "redirect_uri", config.callback().toString()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.web() + "/login/oauth/access_token"))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "driftless")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        Answer answer = send(request, "token_exchange");
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

    private String user(String token) throws Failed {
        Answer answer = send(apiGet(URI.create(config.api() + "/user"), token), "user");
        if (answer.status() != 200) {
            throw unexpected("user", answer.status());
        }
        String login = object(answer, "user").getString("login");
        if (login == null || !LOGIN.matcher(login).matches()) {
            throw new Failed(502, "GitHub's answer did not name a valid user.", "user_bad_login");
        }
        return login.toLowerCase(Locale.ROOT);
    }

    private Set<String> orgs(String token) throws Failed {
        Set<String> orgs = new LinkedHashSet<>();
        URI page = URI.create(config.api() + "/user/orgs?per_page=100");
        for (int n = 0; n < MAX_ORG_PAGES && page != null; n++) {
            Answer answer = send(apiGet(page, token), "orgs");
            if (answer.status() != 200) {
                throw unexpected("orgs", answer.status());
            }
            JsonArray array;
            try {
                array = new JsonArray(answer.body());
            } catch (DecodeException e) {
                throw new Failed(502, "GitHub's answer could not be read. Try again later.", "orgs_not_json");
            }
            for (int i = 0; i < array.size(); i++) {
                Object org = array.getValue(i);
                String login = org instanceof JsonObject o ? o.getString("login") : null;
                if (login != null && LOGIN.matcher(login).matches()) {
                    orgs.add(login.toLowerCase(Locale.ROOT));
                }
            }
            page = next(answer.link()).orElse(null);
        }
        return orgs;
    }

    /** The {@code rel="next"} page, only when it is on the configured API: the bearer token goes nowhere else. */
    private Optional<URI> next(String link) {
        if (link == null) {
            return Optional.empty();
        }
        Matcher matcher = NEXT.matcher(link);
        if (!matcher.find()) {
            return Optional.empty();
        }
        String url = matcher.group(1);
        return url.startsWith(config.api() + "/") ? Optional.of(URI.create(url)) : Optional.empty();
    }

    private HttpRequest apiGet(URI uri, String token) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", "driftless")
                .GET().build();
    }

    private record Answer(int status, String body, String link) { }

    private Answer send(HttpRequest request, String step) throws Failed {
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream in = response.body()) {
                bytes = in.readNBytes(MAX_BODY + 1);
            }
            if (bytes.length > MAX_BODY) {
                throw new Failed(502, "GitHub's answer was too large. Try again later.", step + "_too_large");
            }
            return new Answer(response.statusCode(), new String(bytes, StandardCharsets.UTF_8),
                    response.headers().firstValue("Link").orElse(null));
        } catch (IOException e) {
            throw new Failed(502, "Could not reach GitHub. Try again later.",
                    step + "_unreachable " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed(502, "The sign-in was interrupted. Try again.", step + "_interrupted");
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
