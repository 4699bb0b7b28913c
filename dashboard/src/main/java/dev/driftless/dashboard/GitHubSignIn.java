package dev.driftless.dashboard;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;

/**
 * The two routes of a GitHub sign-in: {@code GET /login/github} sends the browser to GitHub with a fresh
 * state, {@code GET /login/github/callback} checks the state, lets {@link GitHubLogin} talk to GitHub on
 * the worker pool, and hands the principal to the dashboard to start a session.
 */
final class GitHubSignIn {
    static final String START_PATH = "/login/github";
    private static final Logger LOG = LoggerFactory.getLogger(GitHubSignIn.class);
    /** Sign-ins talking to GitHub at once; more get 503 instead of queueing behind the dashboard's reads. */
    private static final int MAX_IN_FLIGHT = 8;

    private final GitHubOAuth config;
    private final OAuthStates states;
    private final GitHubLogin github;
    private final BiConsumer<RoutingContext, Principal> startSession;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

    GitHubSignIn(GitHubOAuth config, OAuthStates states, GitHubLogin github,
                 BiConsumer<RoutingContext, Principal> startSession) {
        this.config = config;
        this.states = states;
        this.github = github;
        this.startSession = startSession;
    }

    void start(RoutingContext ctx) {
        Optional<String> state = states.issue();
        if (state.isEmpty()) {
            LOG.warn("event=github_login_busy pending_states=full");
            refuse(ctx, 503, "Too many sign-ins are in progress. Try again in a minute.");
            return;
        }
        // Lax, not Strict: the cookie must come back on the top-level redirect from GitHub to the callback.
        ctx.response().addCookie(Cookie.cookie(OAuthStates.COOKIE, state.get()).setPath(START_PATH).setHttpOnly(true)
                .setSecure(true).setSameSite(CookieSameSite.LAX).setMaxAge(states.lifetime().toSeconds()));
        Dashboard.redirect(ctx, config.web() + "/login/oauth/authorize?client_id=" + encode(config.clientId())
                + "&redirect_uri=" + encode(config.callback().toString()) + "&scope=" + encode("read:org")
                + "&state=" + encode(state.get()));
    }

    void callback(RoutingContext ctx, WorkerExecutor workers) {
        Cookie cookie = ctx.request().getCookie(OAuthStates.COOKIE);
        // The state is single-use: clear the browser's copy whatever happens next.
        ctx.response().addCookie(Cookie.cookie(OAuthStates.COOKIE, "").setPath(START_PATH).setHttpOnly(true)
                .setSecure(true).setSameSite(CookieSameSite.LAX).setMaxAge(0));
        if (!states.consume(ctx.queryParams().get("state"), cookie == null ? null : cookie.getValue())) {
            LOG.info("event=github_login_refused reason=state remote={}", ctx.request().remoteAddress());
            refuse(ctx, 400, "This sign-in is missing its state, has expired, or was started in another browser. "
                    + "Sign in with GitHub again.");
            return;
        }
        String error = ctx.queryParams().get("error");
        if (error != null) {
            LOG.info("event=github_login_refused reason=authorize_error");
            refuse(ctx, 401, "GitHub did not authorise the sign-in"
                    + ("access_denied".equals(error) ? " (it was cancelled)." : ".") + " Sign in again.");
            return;
        }
        String code = ctx.queryParams().get("code");
        if (code == null || code.isBlank() || code.length() > 512) {
            LOG.info("event=github_login_refused reason=code");
            refuse(ctx, 400, "GitHub's answer had no sign-in code. Sign in again.");
            return;
        }
        if (!inFlight.tryAcquire()) {
            LOG.warn("event=github_login_busy in_flight={}", MAX_IN_FLIGHT);
            refuse(ctx, 503, "Too many sign-ins are in progress. Try again in a minute.");
            return;
        }
        workers.executeBlocking(() -> github.signIn(code), false).onComplete(result -> {
            inFlight.release();
            if (ctx.response().ended()) {
                return;
            }
            if (result.succeeded()) {
                GitHubLogin.Identity identity = result.result();
                LOG.info("event=github_login principal={} orgs={}", identity.login(), identity.orgs().size());
                startSession.accept(ctx, identity.principal());
            } else if (result.cause() instanceof GitHubLogin.Failed failed) {
                LOG.warn("event=github_login_failed reason={}", failed.getMessage());
                refuse(ctx, failed.status(), failed.userMessage());
            } else {
                LOG.error("event=github_login_failed reason=unexpected", result.cause());
                refuse(ctx, 500, "The sign-in failed on our side; the error is in the daemon's log.");
            }
        });
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        Dashboard.html(ctx, status, Pages.login(message, true));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
