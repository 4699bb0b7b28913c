package dev.driftless.reconciler;

import dev.driftless.reconciler.cli.ExitCode;
import dev.driftless.reconciler.config.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    ExitCode run(Map<String, String> env, String... args) {
        return new Main(env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpAndUsageErrors() {
        assertEquals(ExitCode.OK, run(Map.of(), "--help"));
        assertEquals(ExitCode.USAGE, run(Map.of()));
        assertEquals(ExitCode.USAGE, run(Map.of(), "launch"));
        assertTrue(err().contains("unknown command 'launch'"));
        for (String command : new String[] {"serve", "demo", "build", "token", "rollback", "suspend", "resume", "github"}) {
            assertEquals(ExitCode.OK, run(Map.of(), command, "--help"), command);
        }
        assertEquals(ExitCode.USAGE, run(Map.of(), "serve", "--port", "1"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "token", "create"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "token", "create", "bad owner"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "rollback", "alice", "3", "--token", "t"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "rollback", "alice/hello", "three", "--token", "t"));
        assertEquals(ExitCode.USAGE, run(Map.of(), "rollback", "alice/hello", "3"));
        assertTrue(err().contains("no token"));
    }

    @Test
    void aBadSettingIsAConfigurationErrorNamingIt() {
        assertEquals(ExitCode.CONFIGURATION, run(Map.of("DRIFTLESS_HTTP_PORT", "abc"), "serve"));
        assertTrue(err().contains("DRIFTLESS_HTTP_PORT: not a port number: 'abc'"), err());
    }

    @Test
    void anUnreachableStoreIsARuntimeFailure() {
        assertEquals(ExitCode.RUNTIME_FAILURE, run(Map.of("DRIFTLESS_DATA", dir.toString(),
                "DRIFTLESS_DB_URL", "jdbc:postgresql://127.0.0.1:1/none"), "token", "create", "alice"));
        assertTrue(err().contains("driftless: "), err());
    }

    @Test
    void tokenCreatePrintsANewTokenOnce() {
        assertEquals(ExitCode.OK, run(Map.of("DRIFTLESS_DATA", dir.toString()), "token", "create", "alice"));
        String token = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(token.startsWith("dl_"), token);
        assertTrue(Files.isDirectory(dir.resolve("db")));
    }

    @Test
    void rollbackReportsAnUnreachableDaemon() {
        assertEquals(ExitCode.RUNTIME_FAILURE, run(Map.of(), "rollback", "alice/hello", "3", "--token", "t",
                "--url", "http://127.0.0.1:1"));
        assertTrue(err().contains("cannot reach the daemon"), err());
    }

    @Test
    void theReadmeDocumentsEverySetting() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        for (Setting setting : Setting.values()) {
            assertTrue(text.contains("`" + setting.env() + "`") && text.contains("`" + setting.yamlKey() + "`"),
                    "README.md documents " + setting.env());
        }
    }

    @Test
    void githubAppManifestChecksItsArgumentsAndPrintsTheManifest() {
        Map<String, String> env = Map.of("DRIFTLESS_DATA", dir.toString());
        assertEquals(ExitCode.USAGE, run(env, "github", "app-manifest"));
        assertTrue(err().contains("--url is required"), err());
        assertEquals(ExitCode.USAGE, run(env, "github", "app-manifest", "--url", "not a url"));
        assertEquals(ExitCode.USAGE, run(env, "github", "manifest", "--url", "https://driftless.example.com"));
        assertEquals(ExitCode.USAGE, run(env, "github", "app-manifest", "--url", "https://driftless.example.com", "--port", "70000"));

        assertEquals(ExitCode.OK, run(env, "github", "app-manifest", "--url", "https://driftless.example.com", "--print"));
        io.vertx.core.json.JsonObject manifest = new io.vertx.core.json.JsonObject(out.toString(StandardCharsets.UTF_8));
        assertEquals("driftless-driftless.example.com", manifest.getString("name"));
        assertEquals("https://driftless.example.com/webhooks/github", manifest.getJsonObject("hook_attributes").getString("url"));
        assertEquals("write", manifest.getJsonObject("default_permissions").getString("statuses"));
        assertEquals("write", manifest.getJsonObject("default_permissions").getString("checks"));
        assertEquals("read", manifest.getJsonObject("default_permissions").getString("contents"));
        assertEquals(List.of("push", "pull_request"), manifest.getJsonArray("default_events").getList());
        assertTrue(Files.notExists(dir.resolve("github-app")), "printing stores nothing");
    }

    @Test
    void githubAppManifestExchangesACodeGivenByHandAndReportsARefusedOne() throws Exception {
        var github = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().dynamicPort());
        github.start();
        try {
            github.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/app-manifests/good/conversions")
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(new io.vertx.core.json.JsonObject()
                            .put("id", 99).put("slug", "driftless-ci").put("html_url", "https://github.example/apps/driftless-ci")
                            .put("pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n")
                            .put("webhook_secret", "whsec").put("client_id", "Iv1.x").put("client_secret", "cs").encode())));
            github.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/app-manifests/stale/conversions")
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(404)
                            .withBody("{\"message\":\"Not Found\"}")));
            Map<String, String> env = Map.of("DRIFTLESS_DATA", dir.toString(), "DRIFTLESS_GITHUB_API_URL", github.baseUrl());

            assertEquals(ExitCode.OK, run(env, "github", "app-manifest", "--code", "good"));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("https://github.example/apps/driftless-ci/installations/new"));
            assertEquals("whsec", Files.readString(dir.resolve("github-app/webhook-secret")));
            assertTrue(new io.vertx.core.json.JsonObject(Files.readString(dir.resolve("github-app/app.json"))).getLong("id") == 99);

            assertEquals(ExitCode.RUNTIME_FAILURE, run(env, "github", "app-manifest", "--code", "stale"));
            assertTrue(err().contains("Not Found"), err());
            assertEquals(ExitCode.USAGE, run(env, "github", "app-manifest", "--code", "bad code!"));
        } finally {
            github.stop();
        }
    }
}
