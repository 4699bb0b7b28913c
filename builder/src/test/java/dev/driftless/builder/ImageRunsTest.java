package dev.driftless.builder;

import dev.driftless.templates.Templates;
import dev.driftless.testsupport.RealComponent;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image the builder stores is runnable as it is: its layers, read back through {@link ImageSource}
 * and unpacked in order, run under bubblewrap as the image's user with the host's {@code /usr} bound
 * read-only (what the local runtime does), and the function answers over HTTP.
 */
class ImageRunsTest {
    @TempDir
    Path tmp;

    @Test
    void testPythonImageFromTheLocalStoreRunsAsUser10001AndAnswers() throws Exception {
        String bwrap = RealComponent.BWRAP.require();
        GitRepo repo = GitRepo.init(tmp.resolve("src"));
        Templates.builtIn().writeSample("python3", repo.dir.resolve("kubecon"));
        String commit = repo.write("stack.yml", "provider:\n  name: faas\nfunctions:\n  kubecon:\n    lang: python\n    handler: ./kubecon\n    image: alexellis/kubecon\n")
                .commit("kubecon");
        Builder builder = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).build());
        RecordingListener listener = new RecordingListener();
        FunctionBuild kubecon = builder.build(new BuildRequest("alice", "fns", repo.source(), commit, Map.of(), listener)).functions().get(0);
        ImageContents image = builder.imageSource().read(kubecon.image().orElseThrow(() -> new AssertionError(listener.all())));

        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        for (ImageContents.Layer layer : image.layers()) {
            unpack(layer, rootfs);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(bwrap, "--bind", rootfs.toString(), "/", "--ro-bind", "/usr", "/usr",
                "--ro-bind", "/lib", "/lib", "--ro-bind", "/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                "--unshare-user", "--uid", "10001", "--gid", "10001", "--chdir", image.workingDirectory(), "--clearenv"));
        if (Files.isDirectory(Path.of("/lib64"))) {
            command.addAll(List.of("--ro-bind", "/lib64", "/lib64"));
        }
        image.environment().forEach((k, v) -> command.addAll(List.of("--setenv", k, v)));
        command.addAll(List.of("--setenv", "PORT", String.valueOf(port), "sh", "-c", "id -u; exec \"$@\"", "sh"));
        command.addAll(image.entrypoint());
        assertEquals("10001:10001", image.user());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("out.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> response = null;
            for (int i = 0; i < 100 && response == null; i++) {
                try {
                    response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .POST(HttpRequest.BodyPublishers.ofString("KubeCon")).build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException notYet) {
                    assertTrue(process.isAlive(), () -> "function exited: " + read(tmp.resolve("out.log")));
                    Thread.sleep(100);
                }
            }
            assertEquals(200, response.statusCode());
            assertEquals("Hello, KubeCon! (from Python)", response.body());
            assertEquals("10001", read(tmp.resolve("out.log")).lines().findFirst().orElse(""));
        } finally {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Unpacks a gzipped layer tar the way a runtime does: folders, files with their modes; nothing outside {@code root}. */
    private static void unpack(ImageContents.Layer layer, Path root) throws Exception {
        try (InputStream in = layer.open(); TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new AssertionError("layer entry escapes the root: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    continue;
                }
                Files.setPosixFilePermissions(target, permissions(e.getMode()));
            }
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) set.add(bits[i]);
        }
        return set;
    }
}
