package dev.driftless.dashboard;

import dev.driftless.dashboard.SessionStore.Session;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The per-owner dashboard ({@code /dashboard/...}, HTML) and the authenticated API
 * ({@code /api/v1/...}, JSON), mounted on a router of the HTTPS server.
 *
 * <p>Handlers are thin: authenticate, check the owner, hand the blocking read to a named bounded
 * worker pool, render. One owner never sees or acts on another's functions (403). State-changing
 * forms need the session's CSRF token; the API takes a bearer token instead of a cookie.
 *
 * <p>People log in with a token (admin or owner), or, when {@link GitHubOAuth} is given, also with
 * GitHub ({@link GitHubSignIn}); both end in the same session cookie. Sessions and sign-in states live in
 * a {@link SessionStore}, which may be a database: every look-up runs on the worker pool too.
 */
public final class Dashboard {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final long FORM_LIMIT = 16 * 1024;
    static final String SESSION_COOKIE = "driftless_session";
    private static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    /**
     * Every page's policy: scripts and styles only from our own files under {@link #STATIC_PATH} (no inline
     * script, handler or style), no plugins, no {@code <base>}, never framed, forms only post to us.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    static final String STATIC_PATH = "/static/";
    /** The files under {@link #STATIC_PATH}, read once from the classpath, with their content types. */
    private static final Map<String, StaticFile> STATIC_FILES = Map.of(
            "dashboard.js", StaticFile.load("dashboard.js", "text/javascript; charset=utf-8"),
            "dashboard.css", StaticFile.load("dashboard.css", "text/css; charset=utf-8"));

    private final DashboardData data;
    private final TokenVerifier tokens;
    private final SessionStore sessions;
    private final Duration sessionLifetime;
    private final Function<Principal, List<String>> visibleOwners;
    private final Optional<GitHubSignIn> github;
    private WorkerExecutor workers;
    private Vertx vertx;
    /** How long a form waits for its queued job before it shows the page anyway. */
    private static final Duration FOLLOW = Duration.ofSeconds(60);
    private static final Duration FOLLOW_POLL = Duration.ofMillis(250);

    /**
     * @param visibleOwners the owners a principal may pick from on {@code /dashboard} (admins: every owner)
     */
    public Dashboard(DashboardData data, TokenVerifier tokens, Function<Principal, List<String>> visibleOwners) {
        this(data, tokens, visibleOwners, Optional.empty(), SESSION_LIFETIME, Clock.systemUTC());
    }

    /**
     * With GitHub sign-in as well as tokens: the login page offers "Sign in with GitHub", and a GitHub
     * user sees their own functions and those of the organisations they are a member of.
     */
    public Dashboard(DashboardData data, TokenVerifier tokens, Function<Principal, List<String>> visibleOwners,
                     GitHubOAuth gitHub) {
        this(data, tokens, visibleOwners, Optional.of(gitHub), SESSION_LIFETIME, Clock.systemUTC());
    }

    /**
     * With sessions and sign-in states kept in {@code sessions}: the daemon passes its database's, so that
     * its replicas share them and a restart logs nobody out. (The other constructors keep them in memory.)
     *
     * @param gitHub "Sign in with GitHub" as well as tokens, when present
     */
    public Dashboard(DashboardData data, TokenVerifier tokens, Function<Principal, List<String>> visibleOwners,
                     Optional<GitHubOAuth> gitHub, SessionStore sessions) {
        this(data, tokens, visibleOwners, gitHub, sessions, SESSION_LIFETIME);
    }

    /** In memory, on {@code clock}: for tests. */
    Dashboard(DashboardData data, TokenVerifier tokens, Function<Principal, List<String>> visibleOwners,
              Optional<GitHubOAuth> gitHub, Duration sessionLifetime, Clock clock) {
        this(data, tokens, visibleOwners, gitHub, new InMemorySessionStore(clock), sessionLifetime);
    }

    private Dashboard(DashboardData data, TokenVerifier tokens, Function<Principal, List<String>> visibleOwners,
                      Optional<GitHubOAuth> gitHub, SessionStore sessions, Duration sessionLifetime) {
        this.data = data;
        this.tokens = tokens;
        this.visibleOwners = visibleOwners;
        this.sessions = sessions;
        this.sessionLifetime = sessionLifetime;
        this.github = gitHub.map(config -> new GitHubSignIn(config, sessions, new GitHubLogin(config), this::startSession));
    }

    /** Adds the dashboard and API routes to {@code router}. */
    public void mount(Vertx vertx, Router router) {
        this.vertx = vertx;
        workers = vertx.createSharedWorkerExecutor("driftless-dashboard", 4);
        BodyHandler forms = BodyHandler.create(false).setBodyLimit(FORM_LIMIT);
        page(router, "/").handler(ctx -> redirect(ctx, "/dashboard"));
        page(router, STATIC_PATH + ":file").handler(Dashboard::staticFile);
        page(router, "/login").handler(ctx -> html(ctx, 200, loginPage(null)));
        router.post("/login").handler(forms).handler(this::login);
        github.ifPresent(signIn -> {
            WorkerExecutor pool = workers;
            router.get(GitHubSignIn.START_PATH).handler(ctx -> signIn.start(ctx, pool));
            router.get(GitHubOAuth.CALLBACK_PATH).handler(ctx -> signIn.callback(ctx, pool));
        });
        router.post("/logout").handler(forms).handler(this::logout);
        page(router, "/dashboard").handler(this::ownersPage);
        page(router, "/dashboard/:owner").handler(ctx -> ownerPage(ctx, this::functionsPage));
        page(router, "/dashboard/:owner/audit").handler(ctx -> ownerPage(ctx, this::auditPage));
        page(router, "/dashboard/:owner/notifications").handler(ctx -> ownerPage(ctx,
                (c, session, owner) -> notificationsPage(c, session, owner, 200, c.queryParams().get("flash"), null)));
        router.post("/dashboard/:owner/notifications").handler(forms)
                .handler(ctx -> ownerPage(ctx, this::notificationsForm));
        page(router, "/dashboard/:owner/functions/:function").handler(ctx -> ownerPage(ctx, this::functionPage));
        router.post("/dashboard/:owner/functions/:function/rollback").handler(forms)
                .handler(ctx -> ownerPage(ctx, this::rollbackForm));
        page(router, "/dashboard/:owner/builds/:build").handler(ctx -> ownerPage(ctx, this::buildPage));
        page(router, "/dashboard/:owner/builds/:build/log").handler(ctx -> ownerPage(ctx, this::buildLog));
        page(router, "/dashboard/:owner/repos/:repository").handler(ctx -> ownerPage(ctx, this::repositoryPage));
        router.post("/dashboard/:owner/repos/:repository/suspend").handler(forms)
                .handler(ctx -> ownerPage(ctx, (c, session, owner) -> suspendForm(c, session, owner, true)));
        router.post("/dashboard/:owner/repos/:repository/resume").handler(forms)
                .handler(ctx -> ownerPage(ctx, (c, session, owner) -> suspendForm(c, session, owner, false)));

        BodyHandler json = BodyHandler.create(false).setBodyLimit(FORM_LIMIT);
        router.get("/api/v1/owners/:owner/functions").handler(ctx -> api(ctx, this::apiFunctions));
        router.get("/api/v1/owners/:owner/functions/:function").handler(ctx -> api(ctx, this::apiFunction));
        router.post("/api/v1/owners/:owner/functions/:function/rollback").handler(json)
                .handler(ctx -> api(ctx, this::apiRollback));
        router.get("/api/v1/owners/:owner/jobs/:job").handler(ctx -> api(ctx, this::apiJob));
        router.post("/api/v1/owners/:owner/repositories/:repository/suspend")
                .handler(ctx -> api(ctx, (c, principal, owner) -> apiSuspend(c, principal, owner, true)));
        router.post("/api/v1/owners/:owner/repositories/:repository/resume")
                .handler(ctx -> api(ctx, (c, principal, owner) -> apiSuspend(c, principal, owner, false)));
    }

    /** A page answers HEAD as GET does (without the body), so that {@code curl -I} shows its headers. */
    private static Route page(Router router, String path) {
        return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
    }

    // --- authentication ---------------------------------------------------------------------------

    private void login(RoutingContext ctx) {
        if (fromAnotherSite(ctx)) {
            // Login CSRF: another site must not log this browser in under the attacker's token.
            html(ctx, 403, loginPage("Log in from this page, not from another site."));
            return;
        }
        String token = ctx.request().getFormAttribute("token");
        if (token == null || token.isBlank()) {
            html(ctx, 400, loginPage("Paste a token."));
            return;
        }
        blocking(ctx, () -> tokens.verify(token.strip()), principal -> {
            if (principal.isEmpty()) {
                LOG.info("event=login_refused remote={}", ctx.request().remoteAddress());
                html(ctx, 401, loginPage("That token is not valid."));
                return;
            }
            LOG.info("event=login principal={}", principal.get().name());
            startSession(ctx, principal.get());
        });
    }

    /** Creates a session, sets its cookie and goes to the dashboard; the same for token and GitHub sign-ins. */
    private void startSession(RoutingContext ctx, Principal principal) {
        blocking(ctx, () -> sessions.create(principal, sessionLifetime), session -> {
            ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, session.id()).setHttpOnly(true).setSecure(true)
                    .setSameSite(CookieSameSite.STRICT).setPath("/").setMaxAge(sessionLifetime.toSeconds()));
            redirect(ctx, "/dashboard");
        });
    }

    private String loginPage(String error) {
        return Pages.login(error, github.isPresent());
    }

    private void logout(RoutingContext ctx) {
        withSession(ctx, session -> {
            if (session.isPresent() && csrfOk(ctx, session.get())) {
                blocking(ctx, () -> {
                    sessions.remove(session.get().id());
                    return true;
                }, removed -> loggedOut(ctx));
            } else {
                loggedOut(ctx);
            }
        });
    }

    private static void loggedOut(RoutingContext ctx) {
        ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, "").setPath("/").setMaxAge(0).setSecure(true).setHttpOnly(true));
        redirect(ctx, "/login");
    }

    /** Looks the request's session up on the worker pool (the store may be a database), then goes on with it. */
    private void withSession(RoutingContext ctx, Consumer<Optional<Session>> then) {
        Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
        String id = cookie == null ? null : cookie.getValue();
        if (!SessionSecrets.plausible(id)) {
            then.accept(Optional.empty());
            return;
        }
        blocking(ctx, () -> sessions.find(id), then);
    }

    /**
     * Fetch Metadata, OWASP's defence in depth beside the token: a browser says where a request was started.
     * Only our own pages may post forms; "same-site" is refused too, because the owners' functions answer on
     * sibling subdomains ({@code alice.<domain>}) and SameSite cookies do not keep those out. A client that
     * sends no such header (older browsers, curl) is judged by the token alone.
     */
    static boolean fromAnotherSite(RoutingContext ctx) {
        String site = ctx.request().getHeader("Sec-Fetch-Site");
        return site != null && !site.equals("same-origin") && !site.equals("none");
    }

    /** The synchronizer token: the form (or X-CSRF-Token header) must bring back the session's own token. */
    private static boolean csrfOk(RoutingContext ctx, Session session) {
        if (fromAnotherSite(ctx)) {
            return false;
        }
        String sent = ctx.request().getFormAttribute("csrf");
        if (sent == null) {
            sent = ctx.request().getHeader("X-CSRF-Token");
        }
        return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8));
    }

    // --- pages ------------------------------------------------------------------------------------

    private interface OwnerPage {
        void handle(RoutingContext ctx, Session session, String owner);
    }

    private void ownersPage(RoutingContext ctx) {
        withSession(ctx, session -> {
            if (session.isEmpty()) {
                redirect(ctx, "/login");
                return;
            }
            Principal principal = session.get().principal();
            blocking(ctx, () -> visibleOwners.apply(principal), owners -> {
                if (!principal.admin() && owners.size() == 1) {
                    redirect(ctx, "/dashboard/" + Html.segment(owners.get(0)));
                } else {
                    html(ctx, 200, Pages.owners(principal, owners, session.get().csrfToken()));
                }
            });
        });
    }

    private void ownerPage(RoutingContext ctx, OwnerPage page) {
        withSession(ctx, session -> {
            if (session.isEmpty()) {
                if ((ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD)
                        && !ctx.request().path().endsWith("/log")) {
                    redirect(ctx, "/login");
                } else {
                    html(ctx, 401, Pages.error(401, "Log in first."));
                }
                return;
            }
            String owner = ctx.pathParam("owner");
            if (!session.get().principal().maySee(owner)) {
                LOG.info("event=forbidden principal={} owner={}", session.get().principal().name(), owner);
                html(ctx, 403, Pages.error(403, "You may not see the functions of " + owner + "."));
                return;
            }
            page.handle(ctx, session.get(), owner);
        });
    }

    private void functionsPage(RoutingContext ctx, Session session, String owner) {
        blocking(ctx, () -> new Object[] {data.repositories(owner), data.functions(owner), data.secrets(owner)}, parts -> {
            @SuppressWarnings("unchecked") List<String> repositories = (List<String>) parts[0];
            @SuppressWarnings("unchecked") List<Views.FunctionRow> rows = (List<Views.FunctionRow>) parts[1];
            @SuppressWarnings("unchecked") List<Views.SecretRow> secrets = (List<Views.SecretRow>) parts[2];
            html(ctx, 200, Pages.functions(session.principal(), owner, repositories, rows, secrets, session.csrfToken()));
        });
    }

    /** Rows on one page of the audit trail. */
    static final int AUDIT_PAGE = 50;

    private void auditPage(RoutingContext ctx, Session session, String owner) {
        Optional<Long> before;
        Optional<Long> after;
        try {
            before = cursor(ctx.queryParams().get("before"));
            after = cursor(ctx.queryParams().get("after"));
        } catch (NumberFormatException e) {
            html(ctx, 400, Pages.error(400, "before and after are cursors: whole numbers, 0 or more."));
            return;
        }
        if (before.isPresent() && after.isPresent()) {
            html(ctx, 400, Pages.error(400, "Give before or after, not both."));
            return;
        }
        blocking(ctx, () -> data.audit(owner, before, after, AUDIT_PAGE),
                page -> html(ctx, 200, Pages.audit(session.principal(), owner, page, session.csrfToken())));
    }

    private static Optional<Long> cursor(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        long value = Long.parseLong(text.strip());
        if (value < 0) {
            throw new NumberFormatException(text);
        }
        return Optional.of(value);
    }

    private void functionPage(RoutingContext ctx, Session session, String owner) {
        String function = ctx.pathParam("function");
        blocking(ctx, () -> data.function(owner, function), detail -> {
            if (detail.isEmpty()) {
                html(ctx, 404, Pages.error(404, "No function " + function + " for " + owner + "."));
            } else {
                html(ctx, 200, Pages.function(session.principal(), detail.get(), session.csrfToken(),
                        ctx.queryParams().get("flash")));
            }
        });
    }

    private void notificationsPage(RoutingContext ctx, Session session, String owner, int status, String flash,
                                   String error) {
        blocking(ctx, () -> data.notifications(owner), page -> html(ctx, status,
                Pages.notifications(session.principal(), owner, page, session.csrfToken(), flash, error)));
    }

    /** Saves or removes the owner's notification target; a bad value shows the page again with the reason. */
    private void notificationsForm(RoutingContext ctx, Session session, String owner) {
        if (!csrfOk(ctx, session)) {
            html(ctx, 403, Pages.error(403, "The form's CSRF token is missing or wrong; reload the page and try again."));
            return;
        }
        String actor = session.principal().name();
        String page = "/dashboard/" + Html.segment(owner) + "/notifications";
        if ("remove".equals(ctx.request().getFormAttribute("action"))) {
            blocking(ctx, () -> data.removeNotifications(owner, actor),
                    removed -> redirect(ctx, page + "?flash=" + Html.query(removed ? "Notifications turned off." : "Nothing to remove.")));
            return;
        }
        Views.NotificationForm form = new Views.NotificationForm(
                Optional.ofNullable(ctx.request().getFormAttribute("url")).orElse("").strip(),
                Optional.ofNullable(ctx.request().getFormAttribute("format")).orElse("json"),
                ctx.request().formAttributes().getAll("events"),
                Optional.ofNullable(ctx.request().getFormAttribute("secret")).orElse(""),
                ctx.request().getFormAttribute("removeSecret") != null);
        workers.executeBlocking(() -> data.saveNotifications(owner, actor, form), false).onComplete(result -> {
            if (ctx.response().ended()) {
                return;
            }
            if (result.succeeded()) {
                redirect(ctx, page + "?flash=" + Html.query("Saved."));
            } else if (result.cause() instanceof IllegalArgumentException e) {
                notificationsPage(ctx, session, owner, 400, null, e.getMessage());
            } else {
                fail(ctx, result.cause());
            }
        });
    }

    private void rollbackForm(RoutingContext ctx, Session session, String owner) {
        if (!csrfOk(ctx, session)) {
            html(ctx, 403, Pages.error(403, "The form's CSRF token is missing or wrong; reload the page and try again."));
            return;
        }
        String function = ctx.pathParam("function");
        Optional<Integer> release = number(ctx.request().getFormAttribute("release"));
        if (release.isEmpty()) {
            html(ctx, 400, Pages.error(400, "Say which release to roll back to."));
            return;
        }
        LOG.info("event=rollback_requested principal={} owner={} function={} release={}",
                session.principal().name(), owner, function, release.get());
        String page = "/dashboard/" + Html.segment(owner) + "/functions/" + Html.segment(function);
        blocking(ctx, () -> data.queueRollback(owner, function, release.get()), job -> {
            if (job.isEmpty()) {
                html(ctx, 404, Pages.error(404, "No release " + release.get() + " of " + owner + "/" + function + "."));
            } else {
                follow(ctx, owner, job.get(), System.nanoTime() + FOLLOW.toNanos(), done -> redirect(ctx, page + "?flash="
                        + Html.query(done.message())));
            }
        });
    }

    private void suspendForm(RoutingContext ctx, Session session, String owner, boolean suspend) {
        if (!csrfOk(ctx, session)) {
            html(ctx, 403, Pages.error(403, "The form's CSRF token is missing or wrong; reload the page and try again."));
            return;
        }
        String repository = ctx.pathParam("repository");
        LOG.info("event=suspend_requested principal={} owner={} repository={} suspend={}", session.principal().name(),
                owner, repository, suspend);
        blocking(ctx, () -> data.queueSuspend(owner, repository, suspend), job -> {
            if (job.isEmpty()) {
                html(ctx, 404, Pages.error(404, "No repository " + repository + " for " + owner + "."));
            } else {
                follow(ctx, owner, job.get(), System.nanoTime() + FOLLOW.toNanos(),
                        done -> redirect(ctx, "/dashboard/" + Html.segment(owner) + "/repos/" + Html.segment(repository)));
            }
        });
    }

    /**
     * Follows a queued job until it finished (or {@link #FOLLOW} passed) without holding a worker thread: the
     * store is read again every {@link #FOLLOW_POLL}. The job runs on whichever replica claims it.
     */
    private void follow(RoutingContext ctx, String owner, Views.JobView job, long deadlineNanos, Consumer<Views.JobView> done) {
        if (job.finished() || System.nanoTime() > deadlineNanos) {
            done.accept(job.finished() ? job : new Views.JobView(job.id(), job.kind(), job.state(), false, false,
                    job.kind() + " is queued as job " + job.id() + " and still " + job.state() + "; reload to see it done"));
            return;
        }
        vertx.setTimer(FOLLOW_POLL.toMillis(), tick -> blocking(ctx, () -> data.job(owner, job.id()),
                seen -> follow(ctx, owner, seen.orElse(job), deadlineNanos, done)));
    }

    private void buildPage(RoutingContext ctx, Session session, String owner) {
        Optional<Long> id = number(ctx.pathParam("build")).map(Integer::longValue);
        if (id.isEmpty()) {
            html(ctx, 404, Pages.error(404, "No such build."));
            return;
        }
        blocking(ctx, () -> data.build(owner, id.get()), build -> {
            if (build.isEmpty()) {
                html(ctx, 404, Pages.error(404, "No build " + id.get() + " for " + owner + "."));
            } else {
                html(ctx, 200, Pages.build(session.principal(), build.get(), session.csrfToken()));
            }
        });
    }

    private void buildLog(RoutingContext ctx, Session session, String owner) {
        Optional<Long> id = number(ctx.pathParam("build")).map(Integer::longValue);
        String function = Optional.ofNullable(ctx.queryParams().get("function")).orElse("");
        int from = number(ctx.queryParams().get("from")).orElse(0);
        if (id.isEmpty()) {
            json(ctx, 404, new JsonObject().put("error", "not_found"));
            return;
        }
        blocking(ctx, () -> data.buildLog(owner, id.get(), function, from), chunk -> json(ctx, 200, new JsonObject()
                .put("from", chunk.from()).put("lines", new JsonArray(chunk.lines())).put("done", chunk.done())));
    }

    private void repositoryPage(RoutingContext ctx, Session session, String owner) {
        String repository = ctx.pathParam("repository");
        blocking(ctx, () -> data.repository(owner, repository), view -> {
            if (view.isEmpty()) {
                html(ctx, 404, Pages.error(404, "No repository " + repository + " for " + owner + "."));
            } else {
                html(ctx, 200, Pages.repository(session.principal(), view.get(), session.csrfToken()));
            }
        });
    }

    // --- API (bearer token) -----------------------------------------------------------------------

    private interface ApiCall {
        void handle(RoutingContext ctx, Principal principal, String owner);
    }

    private void api(RoutingContext ctx, ApiCall call) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"driftless\"");
            json(ctx, 401, new JsonObject().put("error", "unauthorized").put("message", "send Authorization: Bearer <token>"));
            return;
        }
        String owner = ctx.pathParam("owner");
        blocking(ctx, () -> tokens.verify(header.substring(7).strip()), principal -> {
            if (principal.isEmpty()) {
                json(ctx, 401, new JsonObject().put("error", "unauthorized").put("message", "the token is not valid"));
            } else if (!principal.get().maySee(owner)) {
                json(ctx, 403, new JsonObject().put("error", "forbidden")
                        .put("message", "this token may not act on " + owner));
            } else {
                call.handle(ctx, principal.get(), owner);
            }
        });
    }

    private void apiFunctions(RoutingContext ctx, Principal principal, String owner) {
        blocking(ctx, () -> data.functions(owner), rows -> {
            JsonArray array = new JsonArray();
            rows.forEach(row -> array.add(functionJson(row)));
            json(ctx, 200, new JsonObject().put("functions", array));
        });
    }

    private void apiFunction(RoutingContext ctx, Principal principal, String owner) {
        String function = ctx.pathParam("function");
        blocking(ctx, () -> data.function(owner, function), detail -> {
            if (detail.isEmpty()) {
                json(ctx, 404, new JsonObject().put("error", "not_found").put("message", "no function " + function));
                return;
            }
            JsonArray releases = new JsonArray();
            detail.get().releases().forEach(r -> releases.add(new JsonObject().put("number", r.number())
                    .put("commit", r.commit()).put("image", r.image()).put("source", r.source())
                    .put("result", r.result()).put("reason", r.reason()).put("createdAt", r.createdAt().toString())
                    .put("current", r.current())));
            JsonArray previews = new JsonArray();
            detail.get().previews().forEach(p -> previews.add(new JsonObject().put("function", p.function())
                    .put("url", p.url()).put("pullRequest", p.pullRequest()).put("branch", p.branch().orElse(null))
                    .put("commit", p.commit()).put("state", p.state())));
            JsonObject body = functionJson(detail.get().row()).put("releases", releases).put("previews", previews);
            detail.get().scaleToZero().ifPresent(zero -> body.put("scaleToZero", new JsonObject()
                    .put("asleep", zero.asleep()).put("idleSeconds", zero.idle().toSeconds())
                    .put("wakes", zero.wakes()).put("failedWakes", zero.failedWakes())
                    .put("lastWakeMillis", zero.lastWakeMillis().orElse(null))
                    .put("meanWakeMillis", zero.meanWakeMillis().orElse(null))));
            json(ctx, 200, body);
        });
    }

    private void apiRollback(RoutingContext ctx, Principal principal, String owner) {
        String function = ctx.pathParam("function");
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        Integer release = body == null ? null : body.getInteger("release");
        if (release == null) {
            json(ctx, 400, new JsonObject().put("error", "bad_request").put("message", "send {\"release\": <number>}"));
            return;
        }
        LOG.info("event=rollback_requested principal={} owner={} function={} release={}", principal.name(), owner,
                function, release);
        blocking(ctx, () -> data.queueRollback(owner, function, release), job -> accepted(ctx, owner, job,
                "no release " + release + " of function " + function));
    }

    private void apiSuspend(RoutingContext ctx, Principal principal, String owner, boolean suspend) {
        String repository = ctx.pathParam("repository");
        LOG.info("event=suspend_requested principal={} owner={} repository={} suspend={}", principal.name(), owner,
                repository, suspend);
        blocking(ctx, () -> data.queueSuspend(owner, repository, suspend), job -> accepted(ctx, owner, job,
                "no repository " + repository));
    }

    private void apiJob(RoutingContext ctx, Principal principal, String owner) {
        Optional<Integer> id = number(ctx.pathParam("job"));
        if (id.isEmpty()) {
            json(ctx, 404, new JsonObject().put("error", "not_found").put("message", "no such job"));
            return;
        }
        blocking(ctx, () -> data.job(owner, id.get()), job -> json(ctx, job.isPresent() ? 200 : 404, job.isPresent()
                ? jobJson(owner, job.get()) : new JsonObject().put("error", "not_found").put("message", "no such job")));
    }

    /** 202 once the job is stored, with where to follow it; 404 when there was nothing to act on. */
    private static void accepted(RoutingContext ctx, String owner, Optional<Views.JobView> job, String notFound) {
        if (job.isEmpty()) {
            json(ctx, 404, new JsonObject().put("error", "not_found").put("message", notFound));
        } else {
            ctx.response().putHeader("Location", jobPath(owner, job.get().id()));
            json(ctx, 202, jobJson(owner, job.get()));
        }
    }

    private static String jobPath(String owner, long id) {
        return "/api/v1/owners/" + owner + "/jobs/" + id;
    }

    private static JsonObject jobJson(String owner, Views.JobView job) {
        return new JsonObject().put("job", job.id()).put("kind", job.kind()).put("state", job.state())
                .put("finished", job.finished()).put("succeeded", job.succeeded()).put("message", job.message())
                .put("status", jobPath(owner, job.id()));
    }

    /** The JSON shape of a function in the API. */
    private static JsonObject functionJson(Views.FunctionRow row) {
        return new JsonObject().put("owner", row.owner()).put("function", row.function())
                .put("repository", row.repository()).put("endpoint", row.endpoint()).put("ready", row.ready())
                .put("reason", row.reason()).put("message", row.message()).put("release", row.release().orElse(null))
                .put("commit", row.commit().orElse(null)).put("image", row.image().orElse(null))
                .put("instancesReady", row.instancesReady()).put("instancesDesired", row.instancesDesired());
    }

    // --- plumbing ---------------------------------------------------------------------------------

    private <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        workers.executeBlocking(work, false).onComplete(result -> {
            if (ctx.response().ended()) {
                return;
            }
            if (result.succeeded()) {
                try {
                    then.accept(result.result());
                } catch (RuntimeException e) {
                    fail(ctx, e);
                }
            } else if (result.cause() instanceof IllegalArgumentException e) {
                respondError(ctx, 404, e.getMessage());
            } else {
                fail(ctx, result.cause());
            }
        });
    }

    private void fail(RoutingContext ctx, Throwable cause) {
        LOG.error("event=dashboard_error path={}", ctx.request().path(), cause);
        respondError(ctx, 500, "Something went wrong on our side; the error is in the daemon's log.");
    }

    private static void respondError(RoutingContext ctx, int status, String message) {
        if (ctx.request().path().startsWith("/api/") || ctx.request().path().endsWith("/log")) {
            json(ctx, status, new JsonObject().put("error", status == 404 ? "not_found" : "internal").put("message", message));
        } else {
            html(ctx, status, Pages.error(status, message));
        }
    }

    private static Optional<Integer> number(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static void html(RoutingContext ctx, int status, String page) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "same-origin")
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .end(page);
    }

    private static void staticFile(RoutingContext ctx) {
        StaticFile file = STATIC_FILES.get(ctx.pathParam("file"));
        if (file == null) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("not found");
            return;
        }
        // nosniff: a browser runs it as a script or style only because of this content type.
        ctx.response().putHeader("Content-Type", file.contentType()).putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Cache-Control", "no-cache").end(file.content().copy());
    }

    /** A file the pages load, from {@code static/} beside this class. */
    private record StaticFile(String contentType, Buffer content) {
        static StaticFile load(String name, String contentType) {
            try (InputStream in = Dashboard.class.getResourceAsStream("static/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("static/" + name + " is missing from the dashboard's jar");
                }
                return new StaticFile(contentType, Buffer.buffer(in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(body.encode());
    }

    static void redirect(RoutingContext ctx, String location) {
        ctx.response().setStatusCode(303).putHeader("Location", location).end();
    }
}
