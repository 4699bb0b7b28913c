package dev.driftless.dashboard;

import dev.driftless.dashboard.Views.BuildView;
import dev.driftless.dashboard.Views.FunctionDetail;
import dev.driftless.dashboard.Views.FunctionResultRow;
import dev.driftless.dashboard.Views.FunctionRow;
import dev.driftless.dashboard.Views.ReleaseRow;
import dev.driftless.testsupport.BrowserSupport;
import dev.driftless.testsupport.RealComponent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page in a real headless Chromium, with a hostile value in every field the store can hold
 * ({@code <script>}, quotes, {@code </}, {@code javascript:}, U+2028, an {@code onerror} handler): the values
 * show as text, no injected script runs, and the browser reports no CSP violation.
 *
 * <p>Violations are collected by a {@code securitypolicyviolation} listener that Chromium installs in each
 * document before any of its own content runs (DevTools {@code Page.addScriptToEvaluateOnNewDocument}), so
 * the dashboard ships no test hook. A positive control proves the listener and the policy work: a script
 * injected into a page is blocked and reported.
 */
class HostileValuesBrowserTest {
    /** What every injected script or handler would do if it ran; the test looks for the mark. */
    private static final String MARK = "document.documentElement.dataset.pwned='yes'";

    /** A hostile value naming its field, so that a failure says which field leaked. */
    static String hostile(String field) {
        return field + " <script>" + MARK + "</script> ' \" </pre></td></table></code> javascript:" + MARK
                + " \u2028 <img src=x onerror=\"" + MARK + "\"> & %2F / ? # end";
    }

    /** A URL field: a {@code javascript:} URL, which must never become a live link or image. */
    static String hostileUrl() {
        return "javascript:" + MARK;
    }

    private static final String COLLECT_VIOLATIONS = """
            window.__violations = [];
            document.addEventListener('securitypolicyviolation', function (e) {
              window.__violations.push(e.violatedDirective + ' blocked=' + e.blockedURI + ' sample=' + e.sample);
            }, true);
            """;

    private Vertx vertx;
    private WebDriver browser;
    private HostileData data;
    private String base;

    @BeforeEach
    void start() throws Exception {
        String chromium = RealComponent.CHROMIUM.require();
        String chromedriver = RealComponent.CHROMEDRIVER.require();
        vertx = Vertx.vertx();
        data = new HostileData();
        Router router = Router.router(vertx);
        TokenVerifier tokens = token -> token.equals(DashboardTest.ADMIN)
                ? Optional.of(new Principal(hostile("principal"), true, Set.of())) : Optional.empty();
        new Dashboard(data, tokens, p -> List.of(data.owner, "bob")).mount(vertx, router);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://localhost:" + server.actualPort();
        browser = BrowserSupport.start(chromium, chromedriver);
        ((ChromeDriver) browser).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", COLLECT_VIOLATIONS));
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void everyPageShowsHostileValuesAsTextRunsNoInjectedScriptAndViolatesNoPolicy() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get(base + "/login");
        assertClean("login");
        browser.findElement(By.id("token")).sendKeys("not-a-token");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("login-error")));
        assertClean("login refused");
        browser.findElement(By.id("token")).sendKeys(DashboardTest.ADMIN);
        browser.findElement(By.id("login")).click();

        // The walk follows the pages' own links, so every link built from a hostile name must also work.
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("owners")));
        assertClean("owners");
        assertEquals(data.owner, textOf(".owner-link"));
        assertTrue(textOf("header").contains(hostile("principal")), "the principal's name as text");
        browser.findElement(By.cssSelector(".owner-link")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("functions")));
        assertClean("functions");
        assertEquals(data.function, textOf(".function-link"));
        assertEquals(hostileUrl(), textOf(".endpoint"), "the URL shows as text");
        assertEquals(hostile("secret name"), textOf(".secret-name"));
        assertEquals(hostile("origin"), textOf(".secret-origin"));
        browser.findElement(By.id("audit-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("audit")));
        assertClean("audit");
        assertEquals(hostile("actor 2"), textOf(".audit-actor"));
        assertEquals(hostile("action 2"), textOf(".audit-action"));
        assertEquals(hostile("target 2"), textOf(".audit-target"));
        assertEquals(new io.vertx.core.json.JsonObject().put("commit", hostile("detail 2")).encode(), textOf(".audit-detail"));
        browser.findElement(By.id("audit-older")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("audit-newer")));
        assertClean("audit, older page");
        assertEquals(hostile("actor 1"), textOf(".audit-actor"));
        browser.findElement(By.cssSelector("h1 a")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("functions")));
        browser.findElement(By.cssSelector(".function-link")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("releases")));
        assertClean("function");
        assertEquals(hostile("message"), textOf("#message"));
        assertEquals(String.join("\n", data.runtimeLog), textOf("#runtime-log"));

        // The confirmation comes from the static script, with the hostile name as plain text in it.
        browser.findElement(By.cssSelector("tr[data-release='1'] button.rollback")).click();
        var question = wait.until(ExpectedConditions.alertIsPresent());
        assertTrue(question.getText().startsWith("Roll back " + data.function.substring(0, 20)), question.getText());
        question.accept();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash")));
        assertClean("function after rollback");
        assertEquals(hostile("rollback message"), textOf("#flash"));
        assertEquals(List.of(1), data.rollbacks);

        browser.findElement(By.id("build-log-link")).click();
        // The static script marks a log done once it has shown the build's last line.
        wait.until(d -> "true".equals(byId("log-" + data.function, "dataset.done")));
        wait.until(d -> "true".equals(byId("log-build", "dataset.done")));
        assertClean("build");
        assertEquals(String.join("\n", data.logLines) + "\n", byId("log-" + data.function, "textContent"));
        assertEquals(hostile("build log") + "\n", byId("log-build", "textContent"));
        assertEquals(hostile("branch"), textOf("#build-branch"));

        browser.findElement(By.cssSelector("h1 a:nth-of-type(2)")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("builds")));
        assertClean("repository");
        assertEquals(hostile("badge markdown"), textOf("#badge-markdown"));
        browser.findElement(By.id("suspend")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("suspended")));
        assertClean("repository suspended");
        assertTrue(data.suspended);

        browser.get(base + "/dashboard/" + Html.segment(data.owner) + "/functions/" + Html.segment(hostile("unknown")));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("error")));
        assertClean("404");
        assertTrue(textOf("#error").contains(hostile("unknown")));
        BrowserSupport.screenshot(browser, "dashboard-hostile-404");
    }

    /** The positive control: the collector sees a violation, and the policy stops an injected inline script. */
    @Test
    void anInjectedInlineScriptIsBlockedAndReported() throws Exception {
        browser.get(base + "/login");
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(ExpectedConditions.presenceOfElementLocated(By.id("token")));
        ((JavascriptExecutor) browser).executeScript(
                "var s = document.createElement('script'); s.textContent = \"" + MARK + "\"; document.body.appendChild(s);");
        List<String> violations = violations();
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("script-src"), violations.toString());
        assertEquals(null, ((JavascriptExecutor) browser).executeScript("return document.documentElement.dataset.pwned"));
    }

    /** No injected script ran, no violation was reported, and no link or image points to a javascript: URL. */
    private void assertClean(String page) {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertEquals(List.of(), violations(), "CSP violations on the " + page + " page");
        assertEquals(null, js.executeScript("return document.documentElement.dataset.pwned"),
                "an injected script ran on the " + page + " page");
        Object live = js.executeScript("return Array.from(document.querySelectorAll('[href],[src],[action]'))"
                + ".map(function (e) { return e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || ''; })"
                + ".filter(function (u) { return /^\\s*javascript:/i.test(u); })");
        assertEquals(List.of(), live, "javascript: URLs on the " + page + " page");
        Object scripts = js.executeScript("return Array.from(document.scripts).map(function (s) { return s.src; })");
        assertEquals(List.of(base + "/static/dashboard.js"), scripts, "the only script on the " + page + " page");
    }

    /**
     * The violations reported so far. A violation event is queued as a task when the browser blocks something;
     * a task queued after it (this zero-delay timeout) runs after it, so every earlier one has been counted.
     */
    @SuppressWarnings("unchecked")
    private List<String> violations() {
        return (List<String>) ((JavascriptExecutor) browser).executeAsyncScript(
                "var done = arguments[arguments.length - 1]; setTimeout(function () { done(window.__violations); }, 0);");
    }

    private String textOf(String css) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelector(arguments[0]).textContent", css);
    }

    /** A property of the element with that id (any id: no CSS selector to escape). */
    private Object byId(String id, String property) {
        return ((JavascriptExecutor) browser).executeScript(
                "var e = document.getElementById(arguments[0]); return e === null ? null : e." + property, id);
    }

    /** A store where every text field holds a hostile value: one owner, one function, one build, one repository. */
    static final class HostileData implements DashboardData {
        final String owner = hostile("owner");
        final String function = hostile("function");
        final String repository = hostile("repository");
        final List<String> runtimeLog = List.of(hostile("runtime log 1"), hostile("runtime log 2"));
        final List<String> logLines = List.of(hostile("log line 1"), hostile("log line 2"));
        final List<Integer> rollbacks = new CopyOnWriteArrayList<>();
        volatile boolean suspended;

        @Override
        public List<String> repositories(String owner) {
            return owner.equals(this.owner) ? List.of(repository) : List.of();
        }

        @Override
        public List<FunctionRow> functions(String owner) {
            return owner.equals(this.owner) ? List.of(row()) : List.of();
        }

        @Override
        public Optional<FunctionDetail> function(String owner, String function) {
            if (!owner.equals(this.owner) || !function.equals(this.function)) {
                return Optional.empty();
            }
            Instant at = Instant.parse("2026-11-22T10:00:00Z");
            List<ReleaseRow> releases = new ArrayList<>();
            if (!rollbacks.isEmpty()) {
                releases.add(new ReleaseRow(3, hostile("release commit 3"), hostile("release image 3"), hostile("source 3"),
                        Optional.of(1), "deployed", hostile("release reason 3"), at, true));
            }
            releases.add(new ReleaseRow(2, hostile("release commit 2"), hostile("release image 2"), hostile("source 2"),
                    Optional.empty(), hostile("result 2"), hostile("release reason 2"), at, rollbacks.isEmpty()));
            releases.add(new ReleaseRow(1, hostile("release commit 1"), hostile("release image 1"), hostile("source 1"),
                    Optional.empty(), "deployed", hostile("release reason 1"), at, false));
            return Optional.of(new FunctionDetail(row(), releases,
                    List.of(new Views.EventRow(hostile("event reason"), hostile("event message"), at)),
                    Optional.of(7L), runtimeLog));
        }

        @Override
        public Optional<BuildView> build(String owner, long buildId) {
            if (!owner.equals(this.owner) || buildId != 7) {
                return Optional.empty();
            }
            return Optional.of(new BuildView(7, owner, repository, hostile("branch"), hostile("build commit"),
                    hostile("trigger"), hostile("state"), hostile("build reason"), Instant.parse("2026-11-22T10:00:00Z"),
                    Optional.empty(), List.of(new FunctionResultRow(function, hostile("outcome"), hostile("result image"),
                    hostile("result reason"), 1200))));
        }

        @Override
        public Views.LogChunk buildLog(String owner, long buildId, String function, int fromLine) {
            List<String> lines = function.equals(this.function) ? logLines : List.of(hostile("build log"));
            List<String> after = fromLine >= lines.size() ? List.of() : lines.subList(fromLine, lines.size());
            return new Views.LogChunk(fromLine, after, true);
        }

        @Override
        public Optional<Views.RepositoryView> repository(String owner, String repository) {
            if (!owner.equals(this.owner) || !repository.equals(this.repository)) {
                return Optional.empty();
            }
            return Optional.of(new Views.RepositoryView(owner, repository, hostileUrl(), hostile("badge markdown"),
                    suspended, List.of(build(owner, 7).orElseThrow())));
        }

        private final java.util.Map<Long, Views.JobView> jobs = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public Optional<Views.JobView> queueSuspend(String owner, String repository, boolean suspend) {
            if (!owner.equals(this.owner) || !repository.equals(this.repository)) {
                return Optional.empty();
            }
            suspended = suspend;
            return Optional.of(done("suspend"));
        }

        @Override
        public Optional<Views.JobView> queueRollback(String owner, String function, int release) {
            rollbacks.add(release);
            return Optional.of(done("rollback"));
        }

        @Override
        public Optional<Views.JobView> job(String owner, long id) {
            return owner.equals(this.owner) ? Optional.ofNullable(jobs.get(id)) : Optional.empty();
        }

        @Override
        public Views.AuditPage audit(String owner, Optional<Long> before, Optional<Long> after, int limit) {
            if (!owner.equals(this.owner)) {
                return new Views.AuditPage(List.of(), Optional.empty(), Optional.empty());
            }
            Instant at = Instant.parse("2026-11-22T10:00:00Z");
            // Two pages, so the walk follows the "older" link too: ids 2 (newest page) and 1 (older page).
            long id = before.isPresent() ? 1 : 2;
            Views.AuditRow row = new Views.AuditRow(id, at, hostile("actor " + id), hostile("action " + id),
                    hostile("target " + id), new io.vertx.core.json.JsonObject().put("commit", hostile("detail " + id)).encode());
            return new Views.AuditPage(List.of(row), id == 1 ? Optional.of(1L) : Optional.empty(),
                    id == 2 ? Optional.of(2L) : Optional.empty());
        }

        @Override
        public List<Views.SecretRow> secrets(String owner) {
            return owner.equals(this.owner)
                    ? List.of(new Views.SecretRow(hostile("secret name"), 12, hostile("origin"),
                    Instant.parse("2026-11-22T10:00:00Z")))
                    : List.of();
        }

        /** A job that is already finished, whose message is hostile too. */
        private Views.JobView done(String kind) {
            long id = jobs.size() + 1;
            Views.JobView job = new Views.JobView(id, kind, "succeeded", true, true, hostile(kind + " message"));
            jobs.put(id, job);
            return job;
        }

        private FunctionRow row() {
            return new FunctionRow(owner, function, repository, hostileUrl(), hostile("ready"), hostile("reason"),
                    hostile("message"), Optional.of(2), Optional.of(hostile("commit")), Optional.of(hostileUrl()),
                    Optional.of(Instant.parse("2026-11-22T10:00:00Z")), Optional.of(hostile("image")), 1, 1,
                    new Views.Traffic(120, 3, 4.5, 9, 30), Views.Traffic.none());
        }
    }
}
