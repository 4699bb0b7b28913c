package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** go.mod synthesis for vendored GOPATH/dep functions, without the Go toolchain. */
class GoModuleTest {

    @Test
    void repositoryRootsOfVendoredPackages() {
        assertEquals("github.com/a/b", GoModule.repositoryRoot("github.com/a/b/c/d"));
        assertEquals("golang.org/x/crypto", GoModule.repositoryRoot("golang.org/x/crypto/bcrypt"));
        assertEquals("gopkg.in/yaml.v2", GoModule.repositoryRoot("gopkg.in/yaml.v2/internal"));
        assertEquals("local", GoModule.repositoryRoot("local/pkg"));
    }

    @Test
    void gopkgLockProjectsAreReadAndOtherTablesIgnored() {
        assertEquals(List.of("golang.org/x/crypto", "github.com/pkg/errors"), GoModule.GopkgLock.projects("""
                [[projects]]
                  name = "golang.org/x/crypto"
                  packages = ["bcrypt", "blowfish"]

                [[projects]]
                  name = "github.com/pkg/errors"
                  version = "v0.8.0"

                [solve-meta]
                  name = "not a project"
                """));
    }

    @Test
    void goModAndModulesTxtAreWrittenForVendorWithoutModulesTxt(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("vendor/github.com/a/b/sub"));
        Files.writeString(root.resolve("vendor/github.com/a/b/b.go"), "package b\n");
        Files.writeString(root.resolve("vendor/github.com/a/b/sub/s.go"), "package sub\n");
        GoModule module = GoModule.prepare(root, "1.19");
        assertEquals(new GoModule("handler/function", true, true, Map.of("github.com/a/b", GoModule.UNVERSIONED)), module);
        assertEquals("module handler/function\n\ngo 1.19\n\nrequire (\n\tgithub.com/a/b " + GoModule.UNVERSIONED + "\n)\n",
                Files.readString(root.resolve("go.mod")));
        assertEquals("# github.com/a/b " + GoModule.UNVERSIONED + "\n## explicit\ngithub.com/a/b\ngithub.com/a/b/sub\n",
                Files.readString(root.resolve("vendor/modules.txt")));
    }
}
