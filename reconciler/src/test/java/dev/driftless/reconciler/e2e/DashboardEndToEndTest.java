package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.testsupport.BrowserSupport;
import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard of a real daemon in headless Chromium: two pushes of a real function, then the owner
 * logs in over HTTPS, sees the function list, opens the build log, rolls back to release 1 through the
 * confirm dialog, and the endpoint answers with the older version; a second owner gets 403, and is still
 * logged in after the daemon restarts on the same data folder (sessions live in the store).
 * Screenshots go to {@code target/screenshots/}.
 */
class DashboardEndToEndTest {
    @TempDir
    Path dir;

    private Daemon daemon;
    private WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void ownerRollsBackInTheBrowserAndTheEndpointAnswersWithTheOlderVersion() throws Exception {
        String chromium = RealComponent.CHROMIUM.require();
        String chromedriver = RealComponent.CHROMEDRIVER.require();
        RealComponent.BWRAP.require();
        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0", "DRIFTLESS_HTTPS_PORT", "0", "DRIFTLESS_RESYNC_INTERVAL", "1h"))
                .load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String alice = daemon.context().tokens().create("alice");
        String bob = daemon.context().tokens().create("bob");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        String site = "https://localhost:" + functions.gateway().httpsPort();
        String endpoint = site + "/f/alice/hello";

        Path repo = Files.createDirectories(dir.resolve("fns/hello"));
        Files.writeString(dir.resolve("fns/stack.yml"),
                "provider:\n  name: openfaas\nfunctions:\n  hello:\n    lang: python3\n    handler: ./hello\n");
        E2e.git(dir.resolve("fns"), alice, "init", "-q", "-b", "main");
        for (String version : List.of("v1", "v2")) {
            Files.writeString(repo.resolve("handler.py"), "def handle(req):\n    return \"hello " + version + "\"\n");
            E2e.git(dir.resolve("fns"), alice, "add", "-A");
            E2e.git(dir.resolve("fns"), alice, "commit", "-q", "-m", version);
            E2e.git(dir.resolve("fns"), alice, "push", "-q", "http://127.0.0.1:" + daemon.httpPort() + "/git/alice/fns.git", "main");
            awaitAnswer(https, endpoint, "hello " + version);
        }

        browser = BrowserSupport.start(chromium, chromedriver);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(site + "/dashboard/alice");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token"))).sendKeys(alice);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("functions")));
        assertEquals("hello", browser.findElement(By.cssSelector("#functions .function-link")).getText());
        // The endpoint answers as soon as traffic moves; the condition is written right after: reload until it shows.
        wait.until(driver -> {
            if (driver.findElement(By.id("functions")).getText().contains("Ready")) {
                return true;
            }
            driver.navigate().refresh();
            return false;
        });
        BrowserSupport.screenshot(browser, "e2e-dashboard-functions");

        browser.findElement(By.cssSelector("#functions .function-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("build-log-link"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log-hello"), "deployed sha256:"));
        BrowserSupport.screenshot(browser, "e2e-dashboard-build-log");

        browser.get(site + "/dashboard/alice/functions/hello");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-release='1'] button.rollback")))
                .click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash")));
        assertTrue(browser.findElement(By.id("flash")).getText().contains("to release 1 as release 3"),
                browser.findElement(By.id("flash")).getText());
        BrowserSupport.screenshot(browser, "e2e-dashboard-rolled-back");
        assertEquals("hello v1", E2e.post(https, endpoint, "").body().strip(), "the endpoint serves release 1 again");

        browser.manage().deleteAllCookies();
        browser.get(site + "/login");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token"))).sendKeys(bob);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.urlContains("/dashboard"));
        browser.get(site + "/dashboard/alice/functions/hello");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("error")));
        assertTrue(browser.findElement(By.tagName("h1")).getText().contains("403"));
        BrowserSupport.screenshot(browser, "e2e-dashboard-403");

        // A restart on the same data folder logs nobody out: the same browser, without logging in again.
        daemon.close();
        daemon = null;
        FunctionsModule restarted = new FunctionsModule();
        daemon = Daemon.start(config, List.of(restarted));
        browser.get("https://localhost:" + restarted.gateway().httpsPort() + "/dashboard/bob");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-functions")));
        BrowserSupport.screenshot(browser, "e2e-dashboard-after-restart");
    }

    private static void awaitAnswer(HttpClient https, String endpoint, String expected) throws Exception {
        E2e.await("'" + expected + "'", Duration.ofMinutes(4), () -> {
            HttpResponse<String> response = E2e.post(https, endpoint, "");
            return response.statusCode() + " " + response.body().strip();
        }, answer -> answer.equals("200 " + expected));
    }
}
