package dev.driftless.dashboard;

import dev.driftless.testsupport.RealComponent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.driftless.testsupport.BrowserSupport;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real headless Chromium (Debian's chromium + chromedriver): log in, see the
 * function list, follow a build log while lines arrive, roll back through the confirm dialog, and a
 * second owner gets 403. Screenshots go to {@code target/screenshots/}.
 */
class DashboardBrowserTest {
    private Vertx vertx;
    private HttpServer server;
    private WebDriver browser;
    private InMemoryDashboardData data;
    private String base;

    @BeforeEach
    void start() throws Exception {
        String chromium = RealComponent.CHROMIUM.require();
        String chromedriver = RealComponent.CHROMEDRIVER.require();
        vertx = Vertx.vertx();
        data = new InMemoryDashboardData();
        Router router = Router.router(vertx);
        new Dashboard(data, DashboardTest.tokens(), p -> p.admin() ? List.of("alice", "bob") : List.copyOf(p.owners()))
                .mount(vertx, router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // localhost is a secure context for Chromium, so the Secure session cookie is kept over plain HTTP here.
        base = "http://localhost:" + server.actualPort();
        browser = BrowserSupport.start(chromium, chromedriver);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void ownerLogsInFollowsABuildLogAndRollsBack() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get(base + "/dashboard/alice");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token")));
        browser.findElement(By.id("token")).sendKeys(DashboardTest.ALICE);
        browser.findElement(By.id("login")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("functions")));
        BrowserSupport.screenshot(browser, "dashboard-functions");
        assertEquals("hello", browser.findElement(By.cssSelector("#functions .function-link")).getText());
        assertEquals("https://alice.localhost:8443/hello", browser.findElement(By.cssSelector("#functions .endpoint")).getText());

        browser.findElement(By.cssSelector("#functions .function-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("build-log-link"))).click();
        data.logLines.add("==> compiling hello");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log-hello"), "compiling hello"));
        data.logLines.add("==> deployed sha256:bbbbbbbbbbbb in 1.2 s");
        data.buildState = "succeeded";
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log-hello"), "deployed sha256:bbbbbbbbbbbb"));
        BrowserSupport.screenshot(browser, "dashboard-build-log");

        data.previews = List.of(new Views.PreviewRow("hello--pr-7", "https://alice.localhost:8443/hello--pr-7", 7,
                "c".repeat(40), "serving"));
        browser.get(base + "/dashboard/alice/functions/hello");
        assertEquals("https://alice.localhost:8443/hello--pr-7",
                browser.findElement(By.cssSelector("#previews tr[data-preview='hello--pr-7'] .preview-url")).getText());
        assertTrue(browser.findElement(By.cssSelector("#previews tr[data-preview='hello--pr-7']")).getText()
                .contains("#7"));
        browser.findElement(By.cssSelector("tr[data-release='1'] button.rollback")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash")));
        assertTrue(browser.findElement(By.id("flash")).getText().contains("rolled back hello to release 1 as release 3"));
        assertEquals(List.of("alice/hello#1"), data.rollbacks);
        assertTrue(browser.findElement(By.cssSelector("tr[data-release='3']")).getText().contains("current"));
        BrowserSupport.screenshot(browser, "dashboard-rolled-back");
    }

    @Test
    void aSecondOwnerGets403() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get(base + "/login");
        browser.findElement(By.id("token")).sendKeys(DashboardTest.BOB);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.urlContains("/dashboard"));
        browser.get(base + "/dashboard/alice/functions/hello");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("error")));
        assertTrue(browser.findElement(By.tagName("h1")).getText().contains("403"));
        assertTrue(browser.getPageSource().contains("You may not see the functions of alice"));
        BrowserSupport.screenshot(browser, "dashboard-403");
    }
}
