package dev.driftless.builder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code configuration.templates} against a real local template repository (system git, faas-cli's
 * {@code template/<name>/template.yml} layout), fetched by JGit through the builder.
 */
class TemplateRepositoriesTest {
    @TempDir
    Path tmp;
    GitRepo repo;
    GitRepo templates;
    String templatesCommit;
    FakeTemplate python = new FakeTemplate("python3");
    FakeTemplate node = new FakeTemplate("node20");

    @BeforeEach
    void setUp() throws Exception {
        repo = GitRepo.init(tmp.resolve("src"));
        templates = GitRepo.init(tmp.resolve("templates"));
        templatesCommit = templates
                .write("template/python3/template.yml", """
                        language: python3
                        fprocess: python3 index.py
                        build_options:
                          - name: dev
                            packages: [make, gcc]
                        """)
                .write("template/python3/Dockerfile", "FROM python:3-alpine\n")
                .write("template/my-go/template.yml", "language: my-go\nfprocess: ./handler\n")
                .write("template/my-go/Dockerfile", "FROM golang:1.22\n")
                .write("README.md", "templates\n")
                .commit("templates");
    }

    Builder builder() {
        return new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python, node)).localTemplateSources(true).build());
    }

    String commitStack(String configuration) throws Exception {
        return repo.write("stack.yml", """
                        version: 1.0
                        functions:
                          hello:
                            lang: python3
                            handler: ./hello
                          gofn:
                            lang: my-go
                            handler: ./gofn
                        configuration:
                          templates:
                        """ + configuration)
                .write("hello/handler.txt", "hi\n")
                .write("gofn/handler.txt", "go\n")
                .commit("stack");
    }

    BuildResult build(Builder builder, String commit, RecordingListener listener) throws Exception {
        return builder.build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of(), listener));
    }

    /** The build is refused as a whole: one error naming stack.yml and the entry's line, nothing built. */
    StackProblem refused(String configuration) throws Exception {
        String commit = commitStack(configuration);
        RecordingListener listener = new RecordingListener();
        StackInvalidException e = assertThrows(StackInvalidException.class, () -> build(builder(), commit, listener));
        assertEquals(0, python.builds.get() + node.builds.get(), "nothing built");
        assertEquals(List.of(), listener.finished, "no function finished");
        // Functions using a foreign template also carry their own failure; the entry's error is the one that refuses the stack.
        List<StackProblem> errors = e.problems().stream().filter(p -> p.severity() == StackProblem.Severity.ERROR)
                .filter(p -> p.message().startsWith("configuration.templates")).toList();
        assertEquals(1, errors.size(), e.problems().toString());
        return errors.get(0);
    }

    @Test
    void testPinnedBuiltInNameIsFetchedOnceAndBuildsWithTheBuiltInTemplate() throws Exception {
        String commit = commitStack("    - name: python3\n      source: " + templates.url() + "#" + templatesCommit + "\n");
        Builder builder = builder();
        RecordingListener listener = new RecordingListener();
        BuildResult result = build(builder, commit, listener);

        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome(), listener.all());
        assertEquals(1, python.builds.get());
        assertTrue(listener.all().contains("configuration.templates: fetching " + templates.url() + " at " + templatesCommit.substring(0, 12)),
                listener.all());
        assertTrue(listener.all().contains("python3 from " + templates.url() + " at " + templatesCommit.substring(0, 12)
                + " builds with Driftless's own python3 template (same handler contract); its build_options: dev"), listener.all());
        Path cached = tmp.resolve("cache/template-repositories").resolve(TemplateRepositories.key(templates.url(), templatesCommit));
        assertTrue(Files.isRegularFile(cached.resolve("template/python3/template.yml")));
        assertTrue(Files.notExists(cached.resolve(".git")), "only the files are kept");

        // A second build of another commit with the same pin reads the cache: no second fetch.
        String second = repo.write("hello/handler.txt", "hi again\n").commit("change hello");
        RecordingListener again = new RecordingListener();
        build(builder, second, again);
        assertTrue(again.all().contains("at " + templatesCommit.substring(0, 12) + " from the cache"), again.all());
        assertTrue(!again.all().contains("configuration.templates: fetching"), again.all());
        try (Stream<Path> s = Files.list(tmp.resolve("cache/template-repositories"))) {
            assertEquals(List.of(cached.getFileName()), s.map(Path::getFileName).toList(), "no temporary folders left");
        }
    }

    @Test
    void testPinnedDockerfileTemplateFailsItsFunctionsNamingTheEntryAndTheOthersBuild() throws Exception {
        String commit = commitStack("    - name: my-go\n      source: " + templates.url() + "#" + templatesCommit + "\n");
        RecordingListener listener = new RecordingListener();
        BuildResult result = build(builder(), commit, listener);

        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome());
        FunctionBuild gofn = result.functions().get(1);
        assertEquals(FunctionBuild.Outcome.FAILED, gofn.outcome());
        assertEquals("lang 'my-go': template my-go from " + templates.url() + " uses a Dockerfile build, which Driftless does not run"
                + " (supported: node20, python, python3) (configuration.templates at stack.yml:11)", gofn.reason());
        assertTrue(listener.of("gofn").contains("stack.yml:7:11: " + gofn.reason()), listener.all());
    }

    @Test
    void testUnpinnedSourceIsRefusedNamingFileAndLine() throws Exception {
        StackProblem p = refused("    - name: my-go\n      source: " + templates.url() + "\n");
        assertEquals("stack.yml", p.file());
        assertEquals(12, p.line());
        assertTrue(p.message().startsWith("configuration.templates 'my-go': source " + templates.url() + " is not pinned to a commit;"
                + " write source: " + templates.url() + "#<40-character commit>"), p.message());
    }

    @Test
    void testBranchPinIsRefused() throws Exception {
        StackProblem p = refused("    - name: my-go\n      source: " + templates.url() + "#main\n");
        assertEquals(12, p.line());
        assertTrue(p.message().contains("is pinned to 'main', which is not a commit (a branch or tag can move)"), p.message());
    }

    @Test
    void testUnknownCommitIsRefusedNamingFileAndLine() throws Exception {
        String unknown = "0123456789abcdef0123456789abcdef01234567";
        StackProblem p = refused("    - name: python3\n      source: " + templates.url() + "#" + unknown + "\n");
        assertEquals("stack.yml:11:7: configuration.templates 'python3': commit " + unknown + " is not in the repository", p.toString());
    }

    @Test
    void testUnreachableUrlIsRefusedNamingFileAndLine() throws Exception {
        String nowhere = tmp.resolve("no-such-repository").toUri().toString();
        StackProblem p = refused("    - name: python3\n      source: " + nowhere + "#" + templatesCommit + "\n");
        assertEquals(11, p.line());
        assertTrue(p.message().startsWith("configuration.templates 'python3': cannot fetch " + nowhere), p.message());
    }

    @Test
    void testTemplateNotInTheRepositoryIsRefusedListingWhatItHas() throws Exception {
        StackProblem p = refused("    - name: node20\n      source: " + templates.url() + "#" + templatesCommit + "\n");
        assertEquals("stack.yml:11:7: configuration.templates 'node20': template 'node20' is not in " + templates.url() + " at "
                + templatesCommit.substring(0, 12) + " (it has template/: my-go, python3)", p.toString());
    }

    @Test
    void testBuildOptionsAreReadFromTemplateYml() throws Exception {
        Path yml = templates.dir.resolve("template/python3/template.yml");
        assertEquals(Map.of("dev", List.of("make", "gcc")), TemplateRepositories.buildOptions(yml, "python3"));
    }

    @Test
    void testSourceOnTheDaemonsDiskIsRefusedUnlessAllowed() throws Exception {
        String commit = commitStack("    - name: python3\n      source: " + templates.url() + "#" + templatesCommit + "\n");
        Builder daemon = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python, node)).build());
        StackInvalidException e = assertThrows(StackInvalidException.class, () -> build(daemon, commit, new RecordingListener()));
        assertEquals("stack.yml:11:7: configuration.templates 'python3': source " + templates.url() + " is not an https:// git URL"
                + " (template repositories are fetched over HTTPS without credentials)", e.getMessage());
        assertEquals(0, python.builds.get());
        assertTrue(Files.notExists(tmp.resolve("cache/template-repositories")), "nothing fetched");
    }

    /** The daemon's own setting (no local sources): a template repository over HTTP, git's dumb protocol from a bare clone. */
    @Test
    void testHttpSourceIsFetchedByTheDaemonsDefaultBuilder() throws Exception {
        Path bare = tmp.resolve("templates.git");
        templates.git("clone", "-q", "--bare", templates.dir.toString(), bare.toString());
        new GitRepo.Bare(bare).git("update-server-info");
        Path served = bare.toRealPath();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/org/templates.git/", exchange -> {
            Path file = served.resolve(exchange.getRequestURI().getPath().substring("/org/templates.git/".length())).normalize();
            if (!file.startsWith(served) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/org/templates.git";
            String commit = commitStack("    - name: python3\n      source: " + url + "#" + templatesCommit + "\n    - name: my-go\n      source: "
                    + url + "#" + templatesCommit + "\n");
            Builder daemon = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                    .localImageStore(tmp.resolve("store")).templates(List.of(python, node)).build());
            RecordingListener listener = new RecordingListener();
            BuildResult result = build(daemon, commit, listener);
            assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome(), listener.all());
            assertTrue(result.functions().get(1).reason().contains("template my-go from " + url + " uses a Dockerfile build"),
                    result.functions().get(1).reason());
            assertEquals(1, listener.lines.stream().filter(l -> l.contains("configuration.templates: fetching " + url)).count(),
                    "one fetch for two entries of the same URL and commit: " + listener.all());
        } finally {
            server.stop(0);
        }
    }
}
