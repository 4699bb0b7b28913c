package dev.driftless.builder;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.Platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * Where an image starts. {@link Embedded}: made here from scratch (no public registry is reachable on
 * these machines), a layer with {@code /etc/passwd} and {@code /etc/group} for the non-root user
 * {@code app} (10001), {@code /tmp} and {@code /home/app}; the local runtime binds the host's
 * {@code /usr} (JRE, python, node) read-only. {@link Registry}: a template's cluster base pulled by Jib.
 */
sealed interface BaseImage permits BaseImage.Embedded, BaseImage.Registry {
    /** Part of the build cache key: changes whenever the base would. */
    String identity();

    /** A container builder that starts from this base (its layers come first). */
    JibContainerBuilder start() throws IOException;

    static Platform hostPlatform() {
        String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
        return new Platform(switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        }, "linux");
    }

    /** The base made on this machine; its files live under {@code <cache>/base/<version>}. */
    record Embedded(Path folder) implements BaseImage {
        static final String VERSION = "embedded-base-1";
        static final Instant FILE_TIME = Instant.ofEpochSecond(1); // Jib's own default: reproducible
        static final String PASSWD = "root:x:0:0:root:/root:/sbin/nologin\n"
                + "app:x:10001:10001:app:/home/app:/sbin/nologin\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n";
        static final String GROUP = "root:x:0:\napp:x:10001:\nnogroup:x:65534:\n";

        static Embedded in(Path cacheRoot) throws IOException {
            Path folder = cacheRoot.resolve("base").resolve(VERSION);
            Files.createDirectories(folder.resolve("dirs/tmp"));
            Files.createDirectories(folder.resolve("dirs/home-app"));
            writeIfDifferent(folder.resolve("passwd"), PASSWD);
            writeIfDifferent(folder.resolve("group"), GROUP);
            return new Embedded(folder);
        }

        private static void writeIfDifferent(Path file, String content) throws IOException {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
                return;
            }
            Path tmp = Files.createTempFile(file.getParent(), ".base", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public String identity() {
            return VERSION;
        }

        @Override
        public JibContainerBuilder start() {
            FileEntriesLayer base = FileEntriesLayer.builder().setName("base")
                    .addEntry(new FileEntry(folder.resolve("passwd"), AbsoluteUnixPath.get("/etc/passwd"), FilePermissions.fromOctalString("644"), FILE_TIME))
                    .addEntry(new FileEntry(folder.resolve("group"), AbsoluteUnixPath.get("/etc/group"), FilePermissions.fromOctalString("644"), FILE_TIME))
                    // Jib cannot set the sticky bit; the runtime mounts a private /tmp per instance anyway.
                    .addEntry(new FileEntry(folder.resolve("dirs/tmp"), AbsoluteUnixPath.get("/tmp"), FilePermissions.fromOctalString("777"), FILE_TIME))
                    .addEntry(new FileEntry(folder.resolve("dirs/home-app"), AbsoluteUnixPath.get("/home/app"), FilePermissions.fromOctalString("755"), FILE_TIME, "10001:10001"))
                    .build();
            return Jib.fromScratch().setPlatforms(Set.of(hostPlatform())).addFileEntriesLayer(base);
        }
    }

    /**
     * A base pulled from a registry, e.g. {@code eclipse-temurin:17-jre}, with the configured credentials;
     * pin it by digest for exact cache keys.
     */
    record Registry(String reference, RegistryCredentials credentials) implements BaseImage {
        @Override
        public String identity() {
            return "registry:" + reference;
        }

        @Override
        public JibContainerBuilder start() throws IOException {
            try {
                ImageReference image = ImageReference.parse(reference);
                return Jib.from(credentials.addTo(RegistryImage.named(image), image, event -> { }))
                        .setPlatforms(Set.of(hostPlatform()));
            } catch (InvalidImageReferenceException e) {
                throw new IOException("base image '" + reference + "' is not a valid image reference", e);
            }
        }
    }
}
