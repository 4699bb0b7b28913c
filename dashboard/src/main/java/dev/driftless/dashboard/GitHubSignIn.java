package dev.driftless.dashboard;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;

/**
 * The two routes of a GitHub sign-in: {@code GET /login/github} sends the browser to GitHub with a fresh
 * state, {@code GET /login/github/callback} checks the state, lets {@link GitHubLogin} talk to GitHub on
 * the worker pool, and hands the principal to the dashboard to start a session.
 *
 * <p>A state is random, bound to the browser by a cookie holding the same value, short-lived, and used
 * once: the callback must bring it back both in the query (from GitHub) and in the cookie (from the browser
 * that started the sign-in), which stops login CSRF and replayed callbacks. The states live in the
 * {@link SessionStore}, so a callback may land on another replica than the start.
 */
final class GitHubSignIn {
    static final String START_PATH = "/login/github";
    static final String STATE_COOKIE = "driftless_oauth_state";
    /** Time from "Sign in with GitHub" to the callback: enough to log in to GitHub and approve the App. */
    static final Duration STATE_LIFETIME = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(GitHubSignIn.class);
    /** Sign-ins talking to GitHub at once; more get 503 instead of queueing behind the dashboard's reads. */
    private static final int MAX_IN_FLIGHT = 8;
    private static final String OUR_FAULT = "The sign-in failed on our side; the error is in the daemon's log.";

    private final GitHubOAuth config;
    private final SessionStore states;
    private final GitHubLogin github;
    private final BiConsumer<RoutingContext, Principal> startSession;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

    GitHubSignIn(GitHubOAuth config, SessionStore states, GitHubLogin github,
                 BiConsumer<RoutingContext, Principal> startSession) {
        this.config = config;
        this.states = states;
        this.github = github;
        this.startSession = startSession;
    }

    void start(RoutingContext ctx, WorkerExecutor workers) {
        workers.executeBlocking(() -> states.issueState(STATE_LIFETIME), false).onComplete(issued -> {
            if (ctx.response().ended()) {
                return;
            }
            if (issued.failed()) {
                LOG.error("event=github_login_failed reason=state_store", issued.cause());
                refuse(ctx, 500, OUR_FAULT);
                return;
            }
            Optional<String> state = issued.result();
            if (state.isEmpty()) {
                LOG.warn("event=github_login_busy pending_states=full");
                refuse(ctx, 503, "Too many sign-ins are in progress. Try again in a minute.");
                return;
            }
            // Lax, not Strict: the cookie must come back on the top-level redirect from GitHub to the callback.
            ctx.response().addCookie(Cookie.cookie(STATE_COOKIE, state.get()).setPath(START_PATH).setHttpOnly(true)
                    .setSecure(true).setSameSite(CookieSameSite.LAX).setMaxAge(STATE_LIFETIME.toSeconds()));
            Dashboard.redirect(ctx, config.web() + "/login/oauth/authorize?client_id=" + encode(config.clientId())
                    + "&redirect_uri=" + encode(config.callback().toString()) + "&scope=" + encode("read:org")
                    + "&state=" + encode(state.get()));
        });
    }

    void callback(RoutingContext ctx, WorkerExecutor workers) {
        Cookie cookie = ctx.request().getCookie(STATE_COOKIE);
        String fromQuery = ctx.queryParams().get("state");
        String fromCookie = cookie == null ? null : cookie.getValue();
        // The state is single-use: clear the browser's copy whatever happens next.
        ctx.response().addCookie(Cookie.cookie(STATE_COOKIE, "").setPath(START_PATH).setHttpOnly(true)
                .setSecure(true).setSameSite(CookieSameSite.LAX).setMaxAge(0));
        workers.executeBlocking(() -> stateMatches(fromQuery, fromCookie), false).onComplete(checked -> {
            if (ctx.response().ended()) {
                return;
            }
            if (checked.failed()) {
                LOG.error("event=github_login_failed reason=state_store", checked.cause());
                refuse(ctx, 500, OUR_FAULT);
            } else if (!checked.result()) {
                LOG.info("event=github_login_refused reason=state remote={}", ctx.request().remoteAddress());
                refuse(ctx, 400, "This sign-in is missing its state, has expired, or was started in another browser. "
                        + "Sign in with GitHub again.");
            } else {
                signIn(ctx, workers);
            }
        });
    }

    /**
     * Whether the callback's state is one we issued, not expired, and the same as the browser's cookie.
     * A state issued to this browser is used up by the check, whatever its outcome. Blocking (the store).
     */
    private boolean stateMatches(String fromQuery, String fromCookie) {
        if (fromQuery == null || fromQuery.isEmpty() || !SessionSecrets.plausible(fromCookie)) {
            return false;
        }
        boolean issued = states.consumeState(fromCookie);
        return issued && MessageDigest.isEqual(fromQuery.getBytes(StandardCharsets.UTF_8),
                fromCookie.getBytes(StandardCharsets.UTF_8));
    }

    /** After the state checked out: GitHub's answer, then the code exchange on the worker pool. */
    private void signIn(RoutingContext ctx, WorkerExecutor workers) {
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
                refuse(ctx, 500, OUR_FAULT);
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
