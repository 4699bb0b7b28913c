package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic go template with the real Go toolchain (offline: GOPROXY=off, dependencies from vendor/). */
class GoTemplateTest {

    /** A dependency written here, vendored the way kubecon-tester vendors golang.org/x/crypto. */
    static final String FAKE_BCRYPT = """
            // Package bcrypt is a stand-in for golang.org/x/crypto/bcrypt (which cannot be fetched here).
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
            	"fmt"

            	"example.com/fakecrypto/bcrypt"
            )

            // Handle hashes the request body, as kubecon-tester's bcrypt function does.
            func Handle(req []byte) string {
            	hash, err := bcrypt.GenerateFromPassword(req, 10)
            	if err != nil {
            		return fmt.Sprintf("{\\"error\\": %q}", err.Error())
            	}
            	out, _ := json.Marshal(map[string]string{"hash": string(hash)})
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
            	got := Handle([]byte("secret"))
            	if !strings.HasPrefix(got, "{\\"hash\\":\\"$fake2a$") {
            		t.Fatalf("unexpected output %s", got)
            	}
            }

            func TestSameInputSameHash(t *testing.T) {
            	if Handle([]byte("a")) != Handle([]byte("a")) {
            		t.Fatal("not deterministic")
            	}
            }
            """;

    static Builds bcrypt(Builds b) throws Exception {
        return b.file("handler.go", BCRYPT_HANDLER)
                .file("handler_test.go", BCRYPT_TEST)
                .file("Gopkg.toml", "[[constraint]]\n  name = \"example.com/fakecrypto\"\n  version = \"0.1.0\"\n")
                .file("vendor/example.com/fakecrypto/bcrypt/bcrypt.go", FAKE_BCRYPT);
    }

    @Test
    void sampleRunsGoTestAndServesWithTheClassicWatchdogEnvironment(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("go", tmp);
        TemplateBuild build = b.build("go");

        assertEquals(new TestReport(2, 0, 0), build.tests());
        assertTrue(b.logText().contains("--- PASS: TestGreetsTheNameInTheBody"), b.logText());
        assertTrue(b.logText().contains("gofmt -l"), b.logText());
        assertEquals(List.of("/home/app/bin/handler"), build.entrypoint());
        assertEquals(1, build.layers().size());
        Path binary = build.layers().get(0).sourceDir().resolve("handler");
        assertTrue(Files.isExecutable(binary));

        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("OK", fn.get("/_/health").body());
            HttpResponse<String> hello = fn.get("/");
            assertEquals(200, hello.statusCode());
            assertEquals("Hello, world! (from Go, GET /)\n", hello.body(), "fmt.Println of Handle's result, as the classic template");
            HttpResponse<String> named = fn.post("/sub/path?x=1", "Ada");
            assertEquals("Hello, Ada! (from Go, POST /sub/path)\n", named.body());
            assertEquals("text/plain", named.headers().firstValue("Content-Type").orElseThrow(), "the caller's Content-Type is echoed");
            Java17TemplateTest.assertConcurrentAnswers(fn, "Hello, caller-%d! (from Go, POST /)\n");
        }
    }

    @Test
    void everyRequestSeesItsOwnHttpVariablesAndContentTypeIsHonoured(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.go", """
                package function

                import "os"

                func Handle(req []byte) string {
                	return os.Getenv("Http_Method") + " " + os.Getenv("Http_Path") + " q=" + os.Getenv("Http_Query") +
                		" ct=" + os.Getenv("Http_Content_Type") + " x=" + os.Getenv("Http_X_Custom") + " body=" + string(req)
                }
                """);
        TemplateBuild built = b.build("go");
        assertEquals(TestReport.none(), built.tests());
        Map<String, String> env = new HashMap<>(built.environment());
        env.put("content_type", "application/json"); // stack.yml environment, set by the runtime
        TemplateBuild withEnv = new TemplateBuild(built.layers(), built.entrypoint(), env, built.workingDirectory(), built.tests());
        try (RunningFunction fn = RunningFunction.start(withEnv, tmp.resolve("root"))) {
            HttpResponse<String> res = fn.send(HttpRequest.newBuilder(fn.uri("/a/b?name=x&y=2"))
                    .header("Content-Type", "text/csv").header("X-Custom", "yes")
                    .method("PUT", HttpRequest.BodyPublishers.ofString("1,2")));
            assertEquals(200, res.statusCode());
            assertEquals("PUT /a/b q=name=x&y=2 ct=text/csv x=yes body=1,2\n", res.body());
            assertEquals("application/json", res.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("GET / q= ct= x= body=\n", fn.get("/").body(), "nothing of the previous request is left over");
        }
    }

    @Test
    void kubeconTesterBcryptWithDepStyleVendorAndModulesTxtBuildsOffline(@TempDir Path tmp) throws Exception {
        Builds b = bcrypt(new Builds(tmp))
                .file("vendor/modules.txt", "# example.com/fakecrypto v0.1.0\nexample.com/fakecrypto/bcrypt\n");
        TemplateBuild build = b.build("go");
        assertEquals(new TestReport(2, 0, 0), build.tests());
        assertTrue(b.logText().contains("no go.mod: using module handler/function"), b.logText());
        assertTrue(b.logText().contains("example.com/fakecrypto v0.1.0"), b.logText());
        assertTrue(Files.notExists(b.handler.resolve("go.mod")), "the handler folder itself is never written");
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            HttpResponse<String> res = fn.post("/", "secret");
            assertEquals(200, res.statusCode());
            assertTrue(res.body().startsWith("{\"hash\":\"$fake2a$"), res.body());
        }
    }

    @Test
    void gopkgLockWithoutModulesTxtIsEnoughToo(@TempDir Path tmp) throws Exception {
        Builds b = bcrypt(new Builds(tmp)).file("Gopkg.lock", """
                # This file is autogenerated, do not edit; changes may be undone by the next 'dep ensure'.

                [[projects]]
                  branch = "master"
                  name = "example.com/fakecrypto"
                  packages = [
                    "bcrypt"
                  ]
                  revision = "0709b304e793a5edb4a2c0145f281ecdc20838a4"

                [solve-meta]
                  analyzer-name = "dep"
                  inputs-digest = "abc"
                """);
        assertEquals(new TestReport(2, 0, 0), b.build("go").tests());
        assertTrue(b.logText().contains("example.com/fakecrypto " + GoModule.UNVERSIONED), b.logText());
    }

    @Test
    void ownGoModWithGoModVendorIsUsedAsItIs(@TempDir Path tmp) throws Exception {
        Builds b = bcrypt(new Builds(tmp))
                .file("handler.go", BCRYPT_HANDLER.replace("package function", "package hasher"))
                .file("handler_test.go", BCRYPT_TEST.replace("package function", "package hasher"))
                .file("go.mod", "module github.com/alice/hasher\n\ngo 1.19\n\nrequire example.com/fakecrypto v0.1.0\n")
                .file("vendor/modules.txt", "# example.com/fakecrypto v0.1.0\n## explicit\nexample.com/fakecrypto/bcrypt\n");
        TemplateBuild build = b.build("go");
        assertEquals(new TestReport(2, 0, 0), build.tests());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertTrue(fn.post("/", "x").body().startsWith("{\"hash\""));
        }
    }

    @Test
    void gofmtViolationFailsTheBuildNamingTheFile(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("go", tmp).file("extra.go", "package function\n\nfunc  Unformatted( ) int { return 1 }\n")
                // vendored code is not the function's: unformatted there is fine, as in the OpenFaaS template
                .file("vendor/example.com/ugly/ugly.go", "package ugly\nfunc  X( ) {}\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("go"));
        assertEquals("gofmt: not formatted: extra.go (run \"gofmt -s -w\" on your Go code)", e.getMessage());
    }

    @Test
    void failingGoTestFailsTheBuildWithCountsAndOutput(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("go", tmp).file("more_test.go", """
                package function

                import "testing"

                func TestFrench(t *testing.T) {
                	if got := Handle([]byte("x")); got != "Bonjour, x!" {
                		t.Errorf("got %q", got)
                	}
                }
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("go"));
        assertEquals(new TestReport(3, 1, 0), e.report());
        assertTrue(b.logText().contains("--- FAIL: TestFrench"), b.logText());
    }

    @Test
    void dependencyThatIsNotVendoredFailsWithTheOfflineHint(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.go", BCRYPT_HANDLER);
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("go"));
        assertTrue(e.getMessage().startsWith("go build failed"), e.getMessage());
        assertTrue(e.getMessage().contains("example.com/fakecrypto/bcrypt"), e.getMessage());
        assertTrue(e.getMessage().contains("vendor the dependencies (go mod vendor)"), e.getMessage());
    }

    @Test
    void compileErrorFailsBeforeTests(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.go", "package function\n\nfunc Handle(req []byte) int {\n\treturn 1\n}\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("go"));
        assertTrue(e.getMessage().contains("go build failed"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot use function.Handle"), e.getMessage());
        assertTrue(e.getMessage().contains("func([]byte) string"), e.getMessage());
    }

    @Test
    void folderWithoutGoFilesIsAClearError(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("README.md", "nothing\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("go"));
        assertEquals("go handler folder of fn has no .go file (expected package function with func Handle(req []byte) string)", e.getMessage());
    }

    @Test
    void golangMiddlewareSampleServesItsHandlerDirectly(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("golang-middleware", tmp);
        TemplateBuild build = b.build("golang-middleware");
        assertEquals(new TestReport(2, 0, 0), build.tests());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("OK", fn.get("/_/health").body());
            HttpResponse<String> res = fn.post("/sub?x=1", "Ada");
            assertEquals(200, res.statusCode());
            assertEquals("Hello, Ada! (from Go middleware, POST /sub)", res.body());
            Java17TemplateTest.assertConcurrentAnswers(fn, "Hello, caller-%d! (from Go middleware, POST /)");
        }
    }

    @Test
    void golangMiddlewarePanicIs500AndTheServerStaysUp(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.go", """
                package function

                import "net/http"

                func Handle(w http.ResponseWriter, r *http.Request) {
                	if r.URL.Path == "/boom" {
                		panic("kaboom")
                	}
                	w.WriteHeader(http.StatusCreated)
                }
                """);
        try (RunningFunction fn = RunningFunction.start(b.build("golang-middleware"), tmp.resolve("root"))) {
            HttpResponse<String> boom = fn.get("/boom");
            assertEquals(500, boom.statusCode());
            assertEquals("handler error: kaboom\n", boom.body());
            assertEquals(201, fn.get("/").statusCode());
        }
    }

    @Test
    void golangMiddlewareFailingTestAndWrongSignatureFailTheBuild(@TempDir Path tmp) throws Exception {
        Builds failing = Builds.ofSample("golang-middleware", tmp.resolve("a")).file("handler_test.go",
                new String(Files.readAllBytes(Builds.ofSample("golang-middleware", tmp.resolve("b")).handler.resolve("handler_test.go")))
                        .replace("from Go middleware, POST /)", "from Rust, POST /)"));
        assertEquals(new TestReport(2, 1, 0), assertThrows(TestsFailedException.class, () -> failing.build("golang-middleware")).report());

        Builds classic = Builds.ofSample("go", tmp.resolve("c"));
        TemplateException e = assertThrows(TemplateException.class, () -> classic.build("golang-middleware"));
        assertTrue(e.getMessage().contains("cannot use function.Handle"), e.getMessage());
    }
}
