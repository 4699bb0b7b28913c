package dev.driftless.reconciler.e2e;

import dev.driftless.reconciler.Daemon;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.status.CommitStatus;
import dev.driftless.status.LatestStatus;
import dev.driftless.status.StatusOutbox;
import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A repository shaped like OpenFaaS Cloud's demo {@code alexellis/kubecon-tester}, pushed unchanged with
 * the system git: {@code kubecon} ({@code lang: python}) and {@code bcrypt} ({@code lang: go}, the classic
 * template, a dependency vendored under {@code vendor/} with dep's Gopkg.toml, tests in handler_test.go,
 * {@code environment: content_type: application/json}). Both answer over HTTPS, the build log shows the
 * Go tests, and a gofmt violation and then a failing Go test each fail the commit while the previous
 * bcrypt keeps serving.
 */
class KubeconTesterEndToEndTest {
    private static final Duration BUILD = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void pythonAndClassicGoFunctionsDeployAndBrokenGoKeepsTheOldVersion() throws Exception {
        String registry = RealComponent.REGISTRY.require();
        RealComponent.BWRAP.require();
        DriftlessConfig config = new ConfigLoader(Map.of(
                "DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0",
                "DRIFTLESS_HTTPS_PORT", "0",
                "DRIFTLESS_REGISTRY", registry,
                "DRIFTLESS_REGISTRY_INSECURE", "true",
                "DRIFTLESS_RESYNC_INTERVAL", "1h")).load(Optional.empty());
        FunctionsModule functions = new FunctionsModule();
        daemon = Daemon.start(config, List.of(functions));
        String token = daemon.context().tokens().create("alexellis");
        HttpClient https = E2e.trusting(functions.gateway().caCertificate().orElseThrow());
        String remote = "http://127.0.0.1:" + daemon.httpPort() + "/git/alexellis/kubecon-tester.git";
        String gateway = "https://localhost:" + functions.gateway().httpsPort() + "/f/alexellis/";
        StatusOutbox statuses = new StatusOutbox(daemon.context().database().dataSource());

        Path repo = Files.createDirectories(dir.resolve("kubecon-tester"));
        Files.writeString(repo.resolve("stack.yml"), """
                provider:
                  name: faas
                  gateway: http://127.0.0.1:8080

                functions:
                  kubecon:
                    lang: python
                    handler: ./kubecon
                    image: alexellis2/kubecon:0.1.0

                  bcrypt:
                    lang: go
                    handler: ./bcrypt
                    image: alexellis2/bcrypt:0.1.0
                    environment:
                      content_type: application/json
                """);
        Path kubecon = Files.createDirectories(repo.resolve("kubecon"));
        Files.writeString(kubecon.resolve("handler.py"), "def handle(req):\n    return \"Hello kubecon\"\n");
        Files.writeString(kubecon.resolve("requirements.txt"), "");
        writeBcrypt(repo, "v1", BCRYPT_HANDLER.formatted("v1"), BCRYPT_TEST.formatted("v1"));
        E2e.git(repo, null, "init", "-q", "-b", "main");

        // 1. Both functions build and answer over HTTPS; the Go tests ran in the build.
        String first = commitAndPush(repo, token, remote, "kubecon-tester as it is");
        awaitStack(statuses, first, CommitStatus.State.SUCCESS);
        assertEquals("Hello kubecon", call(https, gateway + "kubecon", "").body().strip());
        HttpResponse<String> hashed = call(https, gateway + "bcrypt", "secret");
        assertEquals(200, hashed.statusCode(), hashed.body());
        assertTrue(hashed.body().startsWith("{\"hash\":\"$fake2a$"), hashed.body());
        assertTrue(hashed.body().contains("\"version\":\"v1\""), hashed.body());
        assertEquals("application/json", hashed.headers().firstValue("Content-Type").orElseThrow(), "environment content_type");
        String log = String.join("\n", buildLog(first, "bcrypt"));
        assertTrue(log.contains("--- PASS: TestHashIsJSON"), log);
        assertTrue(log.contains("--- PASS: TestSaysItsVersion"), log);
        assertTrue(log.contains("tests: 2 run, 0 failed"), log);
        assertTrue(log.contains("gofmt -l"), log);

        // 2. A gofmt violation: bcrypt fails with gofmt's finding, kubecon is reused, v1 keeps answering.
        writeBcrypt(repo, "v2", BCRYPT_HANDLER.formatted("v2").replace("func Handle(req []byte) string {",
                "func  Handle(req []byte) string {"), BCRYPT_TEST.formatted("v2"));
        String unformatted = commitAndPush(repo, token, remote, "bcrypt v2, not gofmt-ed");
        awaitStack(statuses, unformatted, CommitStatus.State.FAILURE);
        LatestStatus bcrypt = statuses.latestStates("alexellis", "kubecon-tester").get("driftless/bcrypt");
        assertEquals(CommitStatus.State.FAILURE, bcrypt.state());
        assertTrue(bcrypt.description().contains("gofmt: not formatted: handler.go"), bcrypt.description());
        assertTrue(call(https, gateway + "bcrypt", "secret").body().contains("\"version\":\"v1\""), "v1 still serving");
        assertEquals("Hello kubecon", call(https, gateway + "kubecon", "").body().strip());

        // 3. A failing Go test: bcrypt fails with the counts, v1 keeps answering.
        writeBcrypt(repo, "v3", BCRYPT_HANDLER.formatted("v3"), BCRYPT_TEST.formatted("v2"));
        String failing = commitAndPush(repo, token, remote, "bcrypt v3, its test expects v2");
        awaitStack(statuses, failing, CommitStatus.State.FAILURE);
        bcrypt = statuses.latestStates("alexellis", "kubecon-tester").get("driftless/bcrypt");
        assertEquals("unit tests failed: 1 of 2", bcrypt.description());
        String failedLog = String.join("\n", buildLog(failing, "bcrypt"));
        assertTrue(failedLog.contains("--- FAIL: TestSaysItsVersion"), failedLog);
        assertTrue(call(https, gateway + "bcrypt", "secret").body().contains("\"version\":\"v1\""), "v1 still serving");
    }

    static final String FAKE_BCRYPT = """
            // Package bcrypt stands in for golang.org/x/crypto/bcrypt, which cannot be fetched here.
            package bcrypt

            import (
            	"crypto/sha256"
            	"encoding/hex"
            )

            // GenerateFromPassword returns a salted digest of the password.
            func GenerateFromPassword(password []byte, cost int) ([]byte, error) {
            	sum := sha256.Sum256(append([]byte("driftless-salt:"), password...))
            	return []byte("$fake2a$" + hex.EncodeToString(sum[:8])), nil
            }
            """;

    static final String BCRYPT_HANDLER = """
            package function

            import (
            	"encoding/json"

            	"example.com/fakecrypto/bcrypt"
            )

            const version = "%s"

            // Handle hashes the request body, as kubecon-tester's bcrypt function does.
            func Handle(req []byte) string {
            	hash, err := bcrypt.GenerateFromPassword(req, 10)
            	if err != nil {
            		return err.Error()
            	}
            	out, _ := json.Marshal(map[string]string{"hash": string(hash), "version": version})
            	return string(out)
            }
            """;

    static final String BCRYPT_TEST = """
            package function

            import (
            	"strings"
            	"testing"
            )

            func TestHashIsJSON(t *testing.T) {
            	if got := Handle([]byte("secret")); !strings.HasPrefix(got, `{"hash":"$fake2a$`) {
            		t.Fatalf("unexpected output %%s", got)
            	}
            }

            func TestSaysItsVersion(t *testing.T) {
            	if got := Handle([]byte("x")); !strings.Contains(got, `"version":"%s"`) {
            		t.Fatalf("unexpected version in %%s", got)
            	}
            }
            """;

    private static void writeBcrypt(Path repo, String version, String handler, String test) throws Exception {
        Path bcrypt = Files.createDirectories(repo.resolve("bcrypt"));
        Files.writeString(bcrypt.resolve("handler.go"), handler);
        Files.writeString(bcrypt.resolve("handler_test.go"), test);
        Files.writeString(bcrypt.resolve("Gopkg.toml"), "[[constraint]]\n  name = \"example.com/fakecrypto\"\n  version = \"0.1.0\"\n");
        Path vendored = Files.createDirectories(bcrypt.resolve("vendor/example.com/fakecrypto/bcrypt"));
        Files.writeString(vendored.resolve("bcrypt.go"), FAKE_BCRYPT);
        Files.writeString(bcrypt.resolve("vendor/modules.txt"), "# example.com/fakecrypto v0.1.0\nexample.com/fakecrypto/bcrypt\n");
    }

    /** A 200 answer; retried on connection errors, which a loaded machine gives now and then. */
    private static HttpResponse<String> call(HttpClient https, String url, String body) throws Exception {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        E2e.await("a 200 answer from " + url, Duration.ofMinutes(1), () -> {
            last.set(E2e.post(https, url, body));
            return last.get().statusCode() + " " + last.get().body();
        }, answer -> ((String) answer).startsWith("200 "));
        return last.get();
    }

    private static String commitAndPush(Path repo, String token, String remote, String message) throws Exception {
        E2e.git(repo, token, "add", "-A");
        E2e.git(repo, token, "commit", "-q", "-m", message);
        E2e.git(repo, token, "push", "-q", remote, "main");
        return E2e.git(repo, token, "rev-parse", "HEAD").strip();
    }

    private static void awaitStack(StatusOutbox statuses, String sha, CommitStatus.State state) throws Exception {
        E2e.await("driftless/stack of " + sha + " to be " + state, BUILD, () -> statuses.latestStates("alexellis", "kubecon-tester"),
                states -> {
                    @SuppressWarnings("unchecked") Map<String, LatestStatus> map = (Map<String, LatestStatus>) states;
                    LatestStatus stack = map.get("driftless/stack");
                    return stack != null && stack.sha().equals(sha) && stack.state() == state;
                });
    }

    private List<String> buildLog(String sha, String function) throws Exception {
        return daemon.context().database().inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT l.line FROM build_log_lines l JOIN builds b ON b.id = l.build_id "
                    + "WHERE b.commit_sha = ? AND l.function_name = ? ORDER BY l.seq")) {
                q.setString(1, sha);
                q.setString(2, function);
                List<String> lines = new ArrayList<>();
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        lines.add(rows.getString(1));
                    }
                }
                return lines;
            }
        });
    }
}
