package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic ruby template with real ruby, bundler (offline) and minitest. */
class RubyTemplateTest {

    @Test
    void sampleRunsMinitestAndServesForkedPerRequest(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("ruby", tmp);
        TemplateBuild build = b.build("ruby");
        assertEquals(new TestReport(2, 0, 0), build.tests());
        assertTrue(b.logText().contains("2 runs, 2 assertions, 0 failures"), b.logText());
        try (RunningFunction fn = RunningFunction.start(build, tmp.resolve("root"))) {
            assertEquals("OK", fn.get("/_/health").body());
            HttpResponse<String> res = fn.post("/", "Ada");
            assertEquals(200, res.statusCode());
            assertEquals("Hello, Ada! (from Ruby, POST)", res.body());
            assertEquals("Hello, world! (from Ruby, GET)", fn.get("/").body());
            Java17TemplateTest.assertConcurrentAnswers(fn, "Hello, caller-%d! (from Ruby, POST)");
        }
    }

    @Test
    void vendoredGemsFromTheGemfileInstallOfflineAndHttpVariablesAndContentType(@TempDir Path tmp) throws Exception {
        Path gemSource = Files.createDirectories(tmp.resolve("gemsrc/lib"));
        Files.writeString(gemSource.resolve("greeter.rb"), "module Greeter\n  def self.greet(name)\n    \"Greetings, #{name}!\"\n  end\nend\n");
        Files.writeString(gemSource.getParent().resolve("greeter.gemspec"), """
                Gem::Specification.new do |s|
                  s.name = "greeter"
                  s.version = "0.1.0"
                  s.summary = "a gem made by the test"
                  s.authors = ["driftless"]
                  s.license = "MIT"
                  s.files = ["lib/greeter.rb"]
                end
                """);
        Process gem = new ProcessBuilder("gem", "build", "greeter.gemspec").directory(gemSource.getParent().toFile())
                .redirectErrorStream(true).start();
        gem.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(gem.waitFor(60, TimeUnit.SECONDS) && gem.exitValue() == 0, "gem build");

        Builds b = new Builds(tmp)
                .file("Gemfile", "source \"https://rubygems.org\"\ngem \"greeter\", \"0.1.0\"\n")
                .file("handler.rb", """
                        require "greeter"

                        class Handler
                          def run(req)
                            Greeter.greet(req) + " " + ENV.fetch("Http_Path", "") + " " + ENV.fetch("Http_Query", "-") + " " + ENV.fetch("Http_X_Custom", "-")
                          end
                        end
                        """)
                .file("greeter_test.rb", """
                        require "minitest/autorun"
                        require_relative "handler"

                        class GreeterTest < Minitest::Test
                          def test_greets
                            assert_match(/\\AGreetings, x!/, Handler.new.run("x"))
                          end
                        end
                        """);
        Files.createDirectories(b.handler.resolve("vendor/cache"));
        Files.copy(gemSource.getParent().resolve("greeter-0.1.0.gem"), b.handler.resolve("vendor/cache/greeter-0.1.0.gem"));
        TemplateBuild built = b.build("ruby");
        assertEquals(new TestReport(1, 0, 0), built.tests());
        assertTrue(b.logText().contains("bundle install --local"), b.logText());
        Map<String, String> env = new HashMap<>(built.environment());
        env.put("content_type", "application/json");
        env.replaceAll((k, v) -> k.equals("BUNDLE_APP_CONFIG") ? tmp.resolve("bundle-config").toString() : v);
        try (RunningFunction fn = RunningFunction.start(new TemplateBuild(built.layers(), built.entrypoint(), env,
                built.workingDirectory(), built.tests()), tmp.resolve("root"))) {
            HttpResponse<String> res = fn.send(HttpRequest.newBuilder(fn.uri("/p?q=1")).header("X-Custom", "yes")
                    .POST(HttpRequest.BodyPublishers.ofString("Ada")));
            assertEquals("Greetings, Ada! /p q=1 yes", res.body());
            assertEquals("application/json", res.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void gemThatIsNotVendoredFailsWithTheOfflineHint(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("ruby", tmp).file("Gemfile", "source \"https://rubygems.org\"\ngem \"not-vendored-gem\", \"9.9.9\"\n");
        TemplateException e = assertThrows(TemplateException.class, () -> b.build("ruby"));
        assertTrue(e.getMessage().startsWith("bundle install --local failed"), e.getMessage());
        assertTrue(e.getMessage().contains("bundle cache"), e.getMessage());
    }

    @Test
    void failingMinitestFailsTheBuildWithCounts(@TempDir Path tmp) throws Exception {
        Builds b = Builds.ofSample("ruby", tmp).file("test_more.rb", """
                require "minitest/autorun"
                require_relative "handler"

                class MoreTest < Minitest::Test
                  def test_french
                    assert_equal "Bonjour", Handler.new.run("x")
                  end
                end
                """);
        TestsFailedException e = assertThrows(TestsFailedException.class, () -> b.build("ruby"));
        assertEquals(new TestReport(3, 1, 0), e.report());
    }

    @Test
    void handlerRaisingIs500(@TempDir Path tmp) throws Exception {
        Builds b = new Builds(tmp).file("handler.rb", "class Handler\n  def run(req)\n    raise ArgumentError, \"kaboom\" if req == \"boom\"\n    req.upcase\n  end\nend\n");
        try (RunningFunction fn = RunningFunction.start(b.build("ruby"), tmp.resolve("root"))) {
            HttpResponse<String> boom = fn.post("/", "boom");
            assertEquals(500, boom.statusCode());
            assertEquals("handler error: ArgumentError: kaboom", boom.body());
            assertEquals("OK", fn.post("/", "ok").body());
        }
    }
}
