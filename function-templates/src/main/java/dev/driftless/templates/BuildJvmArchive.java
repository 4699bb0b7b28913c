package dev.driftless.templates;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import dev.driftless.templates.javabuild.JavaBuildDriver;

/**
 * Class-data sharing (a dynamic AppCDS archive) for the java17 build JVM: most of a build JVM's time is loading
 * and linking javac's and JUnit's classes, and a shared archive maps them in ready-made instead. One archive per
 * JDK, driver and JUnit console jar, in a folder named by their hash under the host's cache
 * ({@link HostTools#javaBuildCache()}), made once by a training run on built-in sources (never a tenant's code,
 * so nothing of one function's build ends up in what another build maps).
 *
 * <p>CDS checks the class path by path, size and modification time, so the build JVM's class path here is a
 * stable copy: the driver in a small jar and the console jar, both written once into that folder and never
 * rewritten. Every file is written under a temporary name and moved into place atomically, so builds that
 * race on the first use each see either no archive or a whole one. A missing, corrupt or foreign archive
 * (another JDK) is JDK 17's to reject: with {@code -Xshare:auto} it runs without it.
 */
final class BuildJvmArchive {
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(2);
    private static final String DRIVER_CLASS = JavaBuildDriver.class.getName().replace('.', '/') + ".class";

    /**
     * JVM arguments (class path, archive) for a build JVM, whether an archive is in them, and the console jar's
     * stable copy on that class path (null without one): unlike the build's own, it outlives the build's folder,
     * so a standby build JVM warms up with it.
     */
    record Launch(List<String> jvmArguments, boolean shared, Path stableConsoleJar) {
        Launch {
            jvmArguments = List.copyOf(jvmArguments);
        }
    }

    private final HostTools tools;

    BuildJvmArchive(HostTools tools) {
        this.tools = tools;
    }

    /**
     * The class path and archive flags for a build JVM that runs the driver with {@code consoleJar}; trains the
     * archive first when there is none yet. Without a usable cache folder: the plain class path, no archive.
     */
    Launch launch(Path driverClasses, Path consoleJar, BuildLog log) {
        if (consoleJar == null) {
            return new Launch(List.of("-cp", driverClasses.toString()), false, null);
        }
        Path dir;
        Path driverJar;
        Path console;
        try {
            byte[] driver = driverClassBytes();
            dir = tools.javaBuildCache().resolve(key(driver, consoleJar));
            Files.createDirectories(dir);
            driverJar = writeOnce(dir.resolve("driver.jar"), out -> jar(driver, out));
            console = writeOnce(dir.resolve("junit-console.jar"), out -> Files.copy(consoleJar, out));
        } catch (IOException | RuntimeException e) {
            log.line("java17: no class-data archive for the build JVM (" + e.getMessage() + ")");
            return new Launch(List.of("-cp", driverClasses.toString()), false, null);
        }
        List<String> classpath = List.of("-cp", driverJar + ":" + console);
        Path archive = dir.resolve("build-jvm.jsa");
        if (!Files.isRegularFile(archive)) {
            train(dir, classpath, archive, console, log);
        }
        if (!Files.isRegularFile(archive)) {
            return new Launch(classpath, false, console);
        }
        List<String> arguments = new ArrayList<>(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        arguments.addAll(classpath);
        return new Launch(arguments, true, console);
    }

    /** One build JVM on the built-in {@link TrainingPlan}, dumping the classes it loaded at exit. */
    private void train(Path dir, List<String> classpath, Path archive, Path console, BuildLog log) {
        long start = System.nanoTime();
        Path work = null;
        try {
            work = Files.createTempDirectory(dir, "training-");
            Path plan = TrainingPlan.write(work, console);
            // A name of its own per training run: two first builds at once each write their own, one move wins.
            Path partial = work.resolve("build-jvm.jsa");
            List<String> command = new ArrayList<>(List.of(tools.java().toString(), "-XX:ArchiveClassesAtExit=" + partial,
                    "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss4m"));
            command.addAll(classpath);
            command.addAll(List.of(JavaBuildDriver.class.getName(), plan.toString()));
            ForkedProcess.Result result = new ForkedProcess("build JVM archive", command, work,
                    tools.environment(work, Map.of(), tools.java()), TRAINING_TIMEOUT).run(BuildLog.discard());
            if (result.exitCode() == 0 && Files.size(partial) > 0) {
                moveIntoPlace(partial, archive);
                log.line("java17: made the build JVM's class-data archive in " + (System.nanoTime() - start) / 1_000_000 + " ms (once per JDK)");
            } else {
                log.line("java17: could not make the build JVM's class-data archive (training exit " + result.exitCode() + "); building without it");
            }
        } catch (IOException | TemplateException | RuntimeException e) {
            log.line("java17: could not make the build JVM's class-data archive (" + e.getMessage() + "); building without it");
        } finally {
            if (work != null) {
                try {
                    Trees.delete(work);
                } catch (IOException e) {
                    // A leftover training folder is harmless; the next training uses a new one.
                }
            }
        }
    }

    /** Hash of what the archive depends on: the JDK (its home and release file), the driver, the console jar. */
    private String key(byte[] driver, Path consoleJar) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Path home = tools.javaHome().toRealPath();
            sha.update(home.toString().getBytes(StandardCharsets.UTF_8));
            Path release = home.resolve("release");
            if (Files.isRegularFile(release)) {
                sha.update(Files.readAllBytes(release));
            }
            sha.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(driver);
            sha.update(Files.readAllBytes(consoleJar));
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] driverClassBytes() throws IOException {
        try (InputStream in = JavaBuildDriver.class.getClassLoader().getResourceAsStream(DRIVER_CLASS)) {
            if (in == null) {
                throw new IOException(DRIVER_CLASS + " not found");
            }
            return in.readAllBytes();
        }
    }

    private static void jar(byte[] driver, java.io.OutputStream out) throws IOException {
        try (JarOutputStream jar = new JarOutputStream(out)) {
            JarEntry entry = new JarEntry(DRIVER_CLASS);
            entry.setTime(0);
            jar.putNextEntry(entry);
            jar.write(driver);
            jar.closeEntry();
        }
    }

    private interface Writer {
        void write(java.io.OutputStream out) throws IOException;
    }

    /** The file, written under a temporary name and moved into place unless it is there already (never rewritten). */
    private static Path writeOnce(Path target, Writer writer) throws IOException {
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".partial");
        try {
            try (java.io.OutputStream out = Files.newOutputStream(partial)) {
                writer.write(out);
            }
            moveIntoPlace(partial, target);
        } finally {
            Files.deleteIfExists(partial);
        }
        return target;
    }

    /** Atomic and without replacing: whoever came first keeps their file (CDS records its modification time). */
    private static void moveIntoPlace(Path partial, Path target) throws IOException {
        try {
            // A hard link fails if the target exists, unlike a rename, which would replace it.
            Files.createLink(target, partial);
        } catch (FileAlreadyExistsException e) {
            // Another build was first.
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target)) {
                return;
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException ex) {
                throw new IOException("cannot move " + partial + " into place atomically", ex);
            }
        }
    }
}
