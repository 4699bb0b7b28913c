package dev.driftless.builder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code build_options} through the whole build, against real git repositories and this machine's real dpkg: an option
 * whose packages are installed is honoured, a missing package or an option the template does not define fails that
 * function alone, naming stack.yml, the line and the option.
 */
class BuildOptionsTest {
    @TempDir
    Path tmp;
    GitRepo repo;
    String templatesCommit;
    FakeTemplate python = new FakeTemplate("python3");
    FakeTemplate node = new FakeTemplate("node20");

    @BeforeEach
    void setUp() throws Exception {
        repo = GitRepo.init(tmp.resolve("src"));
        // git is installed wherever these tests run (they drive it); the other package exists nowhere.
        templatesCommit = GitRepo.init(tmp.resolve("templates"))
                .write("template/python3/template.yml", """
                        language: python3
                        build_options:
                          - name: vcs
                            packages:
                              - git
                          - name: native
                            packages: [git, driftless-no-such-package]
                        """)
                .commit("templates");
    }

    BuildResult build(String stack) throws Exception {
        String commit = repo.write("stack.yml", stack).write("a/handler.txt", "a\n").write("b/handler.txt", "b\n").commit("stack");
        Builder builder = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python, node)).localTemplateSources(true).build());
        return builder.build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of(), new RecordingListener()));
    }

    String pinned() {
        return """
                configuration:
                  templates:
                    - name: python3
                      source: %s#%s
                """.formatted(tmp.resolve("templates").toUri(), templatesCommit);
    }

    @Test
    void testOptionWhosePackagesAreInstalledIsHonouredAndAMissingPackageFailsOnlyItsFunction() throws Exception {
        BuildResult result = build("""
                functions:
                  a:
                    lang: python3
                    handler: ./a
                    build_options:
                      - vcs
                  b:
                    lang: python3
                    handler: ./b
                    build_options: [vcs, native]
                """ + pinned());
        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome(), result.functions().get(0).reason());
        FunctionBuild b = result.functions().get(1);
        assertEquals(FunctionBuild.Outcome.FAILED, b.outcome());
        assertEquals("build_options 'native' needs the Debian packages driftless-no-such-package, which are not installed on the build"
                + " machine; Driftless installs no packages during a build (the operator can: apt-get install driftless-no-such-package)",
                b.reason());
        assertEquals(1, python.builds.get(), "only a was built");
    }

    @Test
    void testOptionTheTemplateDoesNotDefineFailsNamingFileAndLine() throws Exception {
        RecordingListener listener = new RecordingListener();
        String commit = repo.write("stack.yml", """
                functions:
                  a:
                    lang: python
                    handler: ./a
                    build_options: [gpu]
                  b:
                    lang: node20
                    handler: ./b
                    build_options:
                      - dev
                """).write("a/handler.txt", "a\n").write("b/handler.txt", "b\n").commit("stack");
        Builder builder = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python, node)).localTemplateSources(true).build());
        BuildResult result = builder.build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of(), listener));
        // lang: python is python3, whose OpenFaaS template defines "dev" only.
        FunctionBuild a = result.functions().get(0);
        assertEquals(FunctionBuild.Outcome.FAILED, a.outcome());
        assertTrue(listener.of("a").contains("stack.yml:5:21: build_options 'gpu' is not defined by template python3 (it defines: dev)"),
                listener.all());
        assertTrue(listener.of("b").contains("stack.yml:10:9: build_options 'dev' is not defined by template node20, which defines no build_options"),
                listener.all());
        assertEquals(0, python.builds.get() + node.builds.get());
    }

    @Test
    void testAlpineNamesOfOpenFaasPython3DevMapToDebianPackages() {
        assertEquals(List.of("make", "automake", "gcc", "g++", "subversion", "python3-dev", "libc6-dev", "libffi-dev", "git"),
                BuildOptions.debianNames(BuildOptions.OPENFAAS_TEMPLATES.get("python3").get("dev")));
    }

    @Test
    void testDpkgProbeSeesInstalledAndMissingPackages() throws Exception {
        assertEquals(Set.of("driftless-no-such-package"), BuildOptions.dpkg().missing(List.of("git", "driftless-no-such-package")));
    }

    /** OpenFaaS Dockerfiles {@code apk add} the packages of build_args ADDITIONAL_PACKAGE; here they must be installed. */
    @Test
    void testAdditionalPackageBuildArgIsCheckedLikeAnOption() throws Exception {
        RecordingListener listener = new RecordingListener();
        String commit = repo.write("stack.yml", """
                functions:
                  a:
                    lang: python3
                    handler: ./a
                    build_args:
                      ADDITIONAL_PACKAGE: git
                  b:
                    lang: node20
                    handler: ./b
                    build_args:
                      ADDITIONAL_PACKAGE: "git driftless-no-such-package"
                """).write("a/handler.txt", "a\n").write("b/handler.txt", "b\n").commit("stack");
        Builder builder = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(python, node)).build());
        BuildResult result = builder.build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of(), listener));
        assertEquals(FunctionBuild.Outcome.BUILT, result.functions().get(0).outcome(), listener.all());
        assertTrue(listener.all().contains("a: build_args ADDITIONAL_PACKAGE: the Debian packages git are installed on the build machine"),
                listener.all());
        assertTrue(listener.of("b").contains("stack.yml:11:27: build_args ADDITIONAL_PACKAGE needs the Debian packages"
                + " driftless-no-such-package, which are not installed on the build machine; Driftless installs no packages during a build"
                + " (the operator can: apt-get install driftless-no-such-package)"), listener.all());
        assertEquals(0, node.builds.get());
    }
}
