package dev.driftless.dashboard;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.driftless.testsupport.BrowserSupport;
import dev.driftless.testsupport.RealComponent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GitHub sign-in in a real headless Chromium. "GitHub" (WireMock) is on {@code 127.0.0.1} and the
 * dashboard on {@code localhost}: different sites, so the browser applies its SameSite rules to the
 * round trip as it would with github.com: the Lax state cookie must come back on the redirect to the
 * callback, and the session cookie must be there on the dashboard page that follows.
 */
class GitHubSignInBrowserTest {
    private WireMockServer github;
    private Vertx vertx;
    private WebDriver browser;
    private String base;

    @BeforeEach
    void start() throws Exception {
        String chromium = RealComponent.CHROMIUM.require();
        String chromedriver = RealComponent.CHROMEDRIVER.require();
        github = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        github.start();
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // localhost is a secure context for Chromium, so Secure cookies are kept over plain HTTP here.
        base = "http://localhost:" + server.actualPort();
        GitHubOAuth config = new GitHubOAuth("client-abc", "client-secret-abc", URI.create(github.baseUrl()),
                URI.create(github.baseUrl() + "/api/v3"), URI.create(base + GitHubOAuth.CALLBACK_PATH));
        new Dashboard(new InMemoryDashboardData(), DashboardTest.tokens(),
                p -> p.admin() ? List.of("alice", "bob") : List.copyOf(p.owners()),
                Optional.of(config), Duration.ofHours(12), Clock.systemUTC()).mount(vertx, router);

        github.stubFor(get(urlPathEqualTo("/login/oauth/authorize")).withQueryParam("client_id", equalTo("client-abc"))
                .willReturn(aResponse().withStatus(302)
                        .withHeader("Location", "{{request.query.redirect_uri}}?code=code-1&state={{request.query.state}}")
                        .withTransformers("response-template")));
        github.stubFor(post(urlPathEqualTo("/login/oauth/access_token"))
                .willReturn(okJson("{\"access_token\":\"gho_browser\",\"token_type\":\"bearer\"}")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user")).willReturn(okJson("{\"login\":\"alice\"}")));
        github.stubFor(get(urlPathEqualTo("/api/v3/user/orgs")).willReturn(okJson("[{\"login\":\"acme\"}]")));
        browser = BrowserSupport.start(chromium, chromedriver);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (github != null) {
            github.stop();
        }
    }

    @Test
    void signingInWithGitHubLandsOnTheDashboardWithTheOrgsFunctions() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get(base + "/login");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("github-login")));
        assertTrue(browser.findElements(By.id("token")).size() == 1, "the token form is still there");
        BrowserSupport.screenshot(browser, "github-login-page");

        browser.findElement(By.id("github-login")).click();
        wait.until(ExpectedConditions.urlContains("/dashboard"));
        assertEquals(base + "/dashboard", browser.getCurrentUrl(), "signed in, not sent back to /login");
        assertTrue(browser.findElement(By.cssSelector("header")).getText().contains("alice"));
        assertTrue(browser.findElements(By.cssSelector("a[href='/dashboard/acme']")).size() == 1);
        BrowserSupport.screenshot(browser, "github-signed-in");
        github.verify(1, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));

        browser.get(base + "/dashboard/other");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("error")));
        assertTrue(browser.findElement(By.tagName("h1")).getText().contains("403"));
    }
}
