package dev.driftless.reconciler.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static DriftlessConfig env(Map<String, String> env) {
        return new ConfigLoader(env).load(Optional.empty());
    }

    private static String error(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> env(env)).getMessage();
    }

    @Test
    void defaultsWhenNothingIsSet() {
        DriftlessConfig c = env(Map.of());
        assertEquals(Path.of("./.driftless"), c.data());
        assertEquals(8080, c.httpPort());
        assertEquals(8443, c.httpsPort());
        assertEquals("localhost", c.domain());
        assertTrue(c.githubWebhookSecret().isEmpty());
        assertTrue(c.dbUrl().startsWith("jdbc:h2:file:"), c.dbUrl());
        assertTrue(c.dbUrl().contains(".driftless/db/driftless;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE"), c.dbUrl());
        assertEquals(25L << 20, c.webhookMaxBody());
        assertEquals("main", c.trackedBranchFor("main"));
        assertTrue(c.registry().isEmpty());
        assertFalse(c.registryInsecure());
        assertEquals(DriftlessConfig.RuntimeKind.LOCAL, c.runtime());
        assertEquals(dev.driftless.runtime.local.Egress.ALLOW, c.functionEgress());
        assertEquals(dev.driftless.runtime.local.FunctionNetwork.ISOLATED, c.functionNetwork());
        assertEquals(Duration.ofMinutes(5), c.resyncInterval());
        assertEquals(2, c.workers());
        assertEquals(URI.create("https://api.github.com"), c.githubApiUrl());
        assertEquals(DriftlessConfig.StatusMode.STATUSES, c.statusMode());
        assertTrue(c.ownerAllowed("anyone"));
        assertFalse(c.isPostgres());
    }

    @Test
    void environmentValuesAreParsed() {
        DriftlessConfig c = env(Map.ofEntries(
                Map.entry("DRIFTLESS_DATA", "/var/lib/driftless"),
                Map.entry("DRIFTLESS_HTTP_PORT", "9000"),
                Map.entry("DRIFTLESS_DOMAIN", "Fns.Example.com"),
                Map.entry("DRIFTLESS_DB_URL", "jdbc:postgresql://db:5432/driftless"),
                Map.entry("DRIFTLESS_DB_PASSWORD", "pw"),
                Map.entry("DRIFTLESS_WEBHOOK_MAX_BODY", "512KiB"),
                Map.entry("DRIFTLESS_TRACKED_BRANCH", "release"),
                Map.entry("DRIFTLESS_REGISTRY", "127.0.0.1:5000"),
                Map.entry("DRIFTLESS_REGISTRY_INSECURE", "true"),
                Map.entry("DRIFTLESS_RUNTIME", "kubernetes"),
                Map.entry("DRIFTLESS_RESYNC_INTERVAL", "1h30m"),
                Map.entry("DRIFTLESS_WORKERS", "0"),
                Map.entry("DRIFTLESS_ALLOWED_OWNERS", "alice, acme-corp"),
                Map.entry("DRIFTLESS_CLUSTER_BASE_IMAGES", "python3=mirror.local:5000/python:3.11-slim, java17="
                        + "eclipse-temurin:17-jre@sha256:" + "a".repeat(64)),
                Map.entry("DRIFTLESS_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8")));
        assertEquals(List.of("10.0.0.0/8", "fd00::/8"), c.trustedProxies().stream().map(Object::toString).toList());
        assertEquals(Path.of("/var/lib/driftless"), c.data());
        assertEquals(Map.of("python3", "mirror.local:5000/python:3.11-slim",
                "java17", "eclipse-temurin:17-jre@sha256:" + "a".repeat(64)), c.clusterBaseImages());
        assertEquals(9000, c.httpPort());
        assertEquals("fns.example.com", c.domain());
        assertTrue(c.isPostgres());
        assertEquals("pw", c.dbPassword().orElseThrow().reveal());
        assertEquals(512 * 1024, c.webhookMaxBody());
        assertEquals("release", c.trackedBranchFor("main"));
        assertEquals(Optional.of("127.0.0.1:5000"), c.registry());
        assertTrue(c.registryInsecure());
        assertEquals(DriftlessConfig.RuntimeKind.KUBERNETES, c.runtime());
        assertEquals(Duration.ofMinutes(90), c.resyncInterval());
        assertEquals(0, c.workers());
        assertEquals(Set.of("alice", "acme-corp"), c.allowedOwners());
        assertFalse(c.ownerAllowed("mallory"));
    }

    @Test
    void theJavaStandbyBuildJvmIsOnUnlessSwitchedOff() {
        assertTrue(env(Map.of()).javaStandby());
        assertFalse(env(Map.of("DRIFTLESS_JAVA_STANDBY", "false")).javaStandby());
        assertTrue(error(Map.of("DRIFTLESS_JAVA_STANDBY", "maybe")).startsWith("DRIFTLESS_JAVA_STANDBY: "));
    }

    @Test
    void githubSignInNeedsBothHalvesAndHidesTheSecret() {
        assertEquals("DRIFTLESS_GITHUB_OAUTH_CLIENT_SECRET: GitHub sign-in needs both the OAuth client id and secret",
                error(Map.of("DRIFTLESS_GITHUB_OAUTH_CLIENT_ID", "Iv1.abc")));
        assertEquals("DRIFTLESS_GITHUB_OAUTH_CLIENT_ID: GitHub sign-in needs both the OAuth client id and secret",
                error(Map.of("DRIFTLESS_GITHUB_OAUTH_CLIENT_SECRET", "s3cr3t-value")));
        DriftlessConfig c = env(Map.of("DRIFTLESS_GITHUB_OAUTH_CLIENT_ID", "Iv1.abc",
                "DRIFTLESS_GITHUB_OAUTH_CLIENT_SECRET", "s3cr3t-value", "DRIFTLESS_PUBLIC_HTTPS_PORT", "443"));
        assertEquals("s3cr3t-value", c.githubOAuthClientSecret().orElseThrow().reveal());
        assertFalse(c.toString().contains("s3cr3t-value"), "secrets stay out of toString");
        assertEquals(java.util.Optional.of(443), c.publicHttpsPort());
        assertEquals("https://github.com", c.githubWebUrl().toString());
    }

    @Test
    void malformedValuesNameTheSetting() {
        assertEquals("DRIFTLESS_HTTP_PORT: not a port number: 'abc'", error(Map.of("DRIFTLESS_HTTP_PORT", "abc")));
        assertEquals("DRIFTLESS_HTTPS_PORT: not a port number: '70000'", error(Map.of("DRIFTLESS_HTTPS_PORT", "70000")));
        assertTrue(error(Map.of("DRIFTLESS_RESYNC_INTERVAL", "5")).startsWith("DRIFTLESS_RESYNC_INTERVAL: not a duration"));
        assertTrue(error(Map.of("DRIFTLESS_RESYNC_INTERVAL", "0s")).startsWith("DRIFTLESS_RESYNC_INTERVAL: must be longer than 0"));
        assertTrue(error(Map.of("DRIFTLESS_WEBHOOK_MAX_BODY", "lots")).startsWith("DRIFTLESS_WEBHOOK_MAX_BODY: not a size"));
        assertTrue(error(Map.of("DRIFTLESS_RUNTIME", "docker")).startsWith("DRIFTLESS_RUNTIME: expected one of local|kubernetes"));
        assertTrue(error(Map.of("DRIFTLESS_FUNCTION_EGRESS", "sometimes"))
                .startsWith("DRIFTLESS_FUNCTION_EGRESS: expected one of allow|deny"));
        assertEquals(dev.driftless.runtime.local.Egress.DENY,
                new ConfigLoader(Map.of("DRIFTLESS_FUNCTION_EGRESS", "deny")).load(Optional.empty()).functionEgress());
        assertTrue(error(Map.of("DRIFTLESS_FUNCTION_NETWORK", "none"))
                .startsWith("DRIFTLESS_FUNCTION_NETWORK: expected one of isolated|host"));
        assertEquals(dev.driftless.runtime.local.FunctionNetwork.HOST,
                new ConfigLoader(Map.of("DRIFTLESS_FUNCTION_NETWORK", "host")).load(Optional.empty()).functionNetwork());
        assertTrue(error(Map.of("DRIFTLESS_DB_URL", "mysql://x")).startsWith("DRIFTLESS_DB_URL: not a supported JDBC URL"));
        assertTrue(error(Map.of("DRIFTLESS_REGISTRY_INSECURE", "maybe")).startsWith("DRIFTLESS_REGISTRY_INSECURE: not a boolean"));
        assertTrue(error(Map.of("DRIFTLESS_WORKERS", "-1")).startsWith("DRIFTLESS_WORKERS: not a number of workers"));
        assertTrue(error(Map.of("DRIFTLESS_GITHUB_API_URL", "ftp://x")).startsWith("DRIFTLESS_GITHUB_API_URL: not an http(s) URL"));
        assertTrue(error(Map.of("DRIFTLESS_ALLOWED_OWNERS", "ok,bad owner")).startsWith("DRIFTLESS_ALLOWED_OWNERS: not a GitHub owner"));
        assertTrue(error(Map.of("DRIFTLESS_TRACKED_BRANCH", "refs/heads/main")).startsWith("DRIFTLESS_TRACKED_BRANCH: not a branch"));
        assertTrue(error(Map.of("DRIFTLESS_TLS_CERT_FILE", "/nope.pem")).startsWith("DRIFTLESS_TLS_CERT_FILE: no readable file"));
        assertTrue(error(Map.of("DRIFTLESS_CLUSTER_BASE_IMAGES", "cobol=x:1")).startsWith(
                "DRIFTLESS_CLUSTER_BASE_IMAGES: unknown template 'cobol' (known: "), "unknown template");
        assertEquals("DRIFTLESS_CLUSTER_BASE_IMAGES: expected template=image, got 'python3'",
                error(Map.of("DRIFTLESS_CLUSTER_BASE_IMAGES", "python3")));
        assertEquals("DRIFTLESS_TRUSTED_PROXIES: not an IP address or CIDR range: 'ingress.local'",
                error(Map.of("DRIFTLESS_TRUSTED_PROXIES", "10.0.0.0/8,ingress.local")));
        assertEquals("DRIFTLESS_CLUSTER_BASE_IMAGES: not an image reference for python3: 'Not An Image'",
                error(Map.of("DRIFTLESS_CLUSTER_BASE_IMAGES", "python3=Not An Image")));
    }

    @Test
    void settingsThatNeedEachOtherAreCheckedTogether() throws Exception {
        Path key = Files.writeString(dir.resolve("app.pem"), "-----BEGIN PRIVATE KEY-----\n");
        assertEquals("DRIFTLESS_GITHUB_APP_KEY_FILE: missing; it is required when DRIFTLESS_GITHUB_APP_ID is set",
                error(Map.of("DRIFTLESS_GITHUB_APP_ID", "12345")));
        assertEquals("DRIFTLESS_TLS_KEY_FILE: missing; it is required when DRIFTLESS_TLS_CERT_FILE is set",
                error(Map.of("DRIFTLESS_TLS_CERT_FILE", key.toString())));
        assertTrue(error(Map.of("DRIFTLESS_STATUS_MODE", "checks")).contains("checks need a GitHub App"));
        DriftlessConfig app = env(Map.of("DRIFTLESS_GITHUB_APP_ID", "12345", "DRIFTLESS_GITHUB_APP_KEY_FILE", key.toString(),
                "DRIFTLESS_STATUS_MODE", "checks"));
        assertEquals(Optional.of(12345L), app.githubAppId());
        assertEquals(DriftlessConfig.StatusMode.CHECKS, app.statusMode());
    }

    @Test
    void aPreviousWebhookSecretNeedsACurrentOneThatDiffers() {
        DriftlessConfig rotating = env(Map.of("DRIFTLESS_GITHUB_WEBHOOK_SECRET", "new-secret",
                "DRIFTLESS_GITHUB_WEBHOOK_SECRET_PREVIOUS", "old-secret"));
        assertEquals("old-secret", rotating.githubWebhookSecretPrevious().orElseThrow().reveal());
        assertFalse(rotating.toString().contains("old-secret"));
        assertTrue(error(Map.of("DRIFTLESS_GITHUB_WEBHOOK_SECRET_PREVIOUS", "old-secret"))
                .startsWith("DRIFTLESS_GITHUB_WEBHOOK_SECRET_PREVIOUS: a previous webhook secret needs the current one"));
        String same = error(Map.of("DRIFTLESS_GITHUB_WEBHOOK_SECRET", "same-secret", "DRIFTLESS_GITHUB_WEBHOOK_SECRET_PREVIOUS", "same-secret"));
        assertTrue(same.contains("is the same as the current webhook secret"), same);
        assertFalse(same.contains("same-secret"), "the secret is not echoed");
    }

    @Test
    void secretsNeverAppearInTextOrErrors() {
        DriftlessConfig c = env(Map.of("DRIFTLESS_GITHUB_WEBHOOK_SECRET", "hunter2-webhook",
                "DRIFTLESS_DB_PASSWORD", "hunter2-db", "DRIFTLESS_GITHUB_TOKEN", "ghp_hunter2"));
        String text = c.toString();
        assertFalse(text.contains("hunter2"), text);
        assertTrue(text.contains("***"));
        assertTrue(c.githubWebhookSecret().orElseThrow().matches("hunter2-webhook"));
        assertFalse(c.githubWebhookSecret().orElseThrow().matches("hunter3-webhook"));
    }

    @Test
    void yamlFileIsReadAndEnvironmentWins() throws Exception {
        Path file = Files.writeString(dir.resolve("driftless.yml"), """
                data: /srv/driftless
                http:
                  port: 9090
                github:
                  webhookSecret: from-yaml
                  apiUrl: https://ghe.example.com/api/v3
                allowedOwners: [alice, bob]
                workers: 4
                """);
        DriftlessConfig c = new ConfigLoader(Map.of("DRIFTLESS_WORKERS", "1")).load(Optional.of(file));
        assertEquals(Path.of("/srv/driftless"), c.data());
        assertEquals(9090, c.httpPort());
        assertEquals("from-yaml", c.githubWebhookSecret().orElseThrow().reveal());
        assertEquals(URI.create("https://ghe.example.com/api/v3"), c.githubApiUrl());
        assertEquals(Set.of("alice", "bob"), c.allowedOwners());
        assertEquals(1, c.workers(), "the environment overrides the file");
        assertTrue(c.dbUrl().contains("/srv/driftless/db/driftless"), "the default DB follows the data folder");
    }

    @Test
    void yamlErrorsNameTheKeyAndFile() throws Exception {
        Path typo = Files.writeString(dir.resolve("typo.yml"), "http:\n  prot: 9090\n");
        String unknown = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(typo))).getMessage();
        assertTrue(unknown.startsWith("http.prot (typo.yml): unknown setting"), unknown);
        Path bad = Files.writeString(dir.resolve("bad.yml"), "http:\n  port: eighty\n");
        assertEquals("http.port (bad.yml): not a port number: 'eighty'",
                assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(bad))).getMessage());
        Path broken = Files.writeString(dir.resolve("broken.yml"), "http: [\n");
        assertTrue(assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(broken)))
                .getMessage().startsWith("--config: "));
        assertTrue(assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(dir.resolve("none.yml"))))
                .getMessage().startsWith("--config: no such file"));
    }
}
