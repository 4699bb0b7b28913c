package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatesTest {
    private final Templates templates = Templates.builtIn();

    @Test
    void findsTemplatesByNameAndAlias() {
        assertEquals("java17", templates.find("java17").orElseThrow().name());
        assertSame(templates.find("java17").orElseThrow(), templates.find("java11").orElseThrow());
        assertSame(templates.find("python3").orElseThrow(), templates.find("python").orElseThrow());
        assertSame(templates.find("node20").orElseThrow(), templates.find("node18").orElseThrow());
        assertTrue(templates.find("cobol").isEmpty());
        assertTrue(templates.find(null).isEmpty());
    }

    @Test
    void listsSupportedLangsForTheUnsupportedMessage() {
        assertEquals(List.of("csharp", "go", "golang-middleware", "java11", "java17", "node", "node18", "node20", "python", "python3", "python3-http", "ruby"), templates.supportedLangs());
    }

    @Test
    void clusterBaseImages() {
        assertEquals("eclipse-temurin:17-jre", templates.find("java17").orElseThrow().clusterBaseImage());
        assertEquals("python:3.11-slim", templates.find("python3").orElseThrow().clusterBaseImage());
        assertEquals("node:20-slim", templates.find("node20").orElseThrow().clusterBaseImage());
        assertEquals(FunctionTemplate.EMBEDDED_BASE, templates.find("go").orElseThrow().clusterBaseImage(), "a static binary");
    }

    @Test
    void versionIsAStableHashOfTheTemplatesFiles() {
        Templates again = Templates.builtIn();
        for (FunctionTemplate t : templates.all()) {
            assertEquals(t.version(), again.find(t.name()).orElseThrow().version());
            assertTrue(t.version().matches("[0-9a-f]{64}"), t.version());
        }
        assertEquals(templates.all().size(), templates.all().stream().map(FunctionTemplate::version).distinct().count());

        TemplateFiles files = TemplateFiles.load("templates/python3");
        java.util.TreeMap<String, byte[]> changed = new java.util.TreeMap<>(files.files());
        changed.put("runtime/index.py", "print('changed')".getBytes());
        assertNotEquals(files.hash("python3-build-1"), new TemplateFiles(changed).hash("python3-build-1"));
    }

    @Test
    void loadsTheSameTemplatesFromTheJarAsFromClassesFolder(@TempDir Path dir) throws Exception {
        // The builder uses the installed jar, the tests a classes folder: both must give the same files.
        Path classes = Path.of(Templates.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = dir.resolve("function-templates.jar");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            for (Path file : Trees.files(classes, java.util.Set.of())) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(file).toString()));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> type = loader.loadClass(Templates.class.getName());
            Object fromJar = type.getMethod("builtIn").invoke(null);
            assertEquals(templates.supportedLangs(), type.getMethod("supportedLangs").invoke(fromJar));
            Class<?> template = loader.loadClass(FunctionTemplate.class.getName());
            for (Object t : (List<?>) type.getMethod("all").invoke(fromJar)) {
                String name = (String) template.getMethod("name").invoke(t);
                assertEquals(templates.find(name).orElseThrow().version(), template.getMethod("version").invoke(t));
            }
            type.getMethod("writeSample", String.class, Path.class).invoke(fromJar, "node20", dir.resolve("node"));
            assertTrue(Files.isRegularFile(dir.resolve("node/handler.js")));
        }
    }

    @Test
    void writesEachSampleWithItsTests(@TempDir Path dir) throws Exception {
        templates.writeSample("java11", dir.resolve("java"));
        assertTrue(Files.isRegularFile(dir.resolve("java/src/main/java/com/openfaas/function/Handler.java")));
        assertTrue(Files.isRegularFile(dir.resolve("java/src/test/java/HandlerTest.java")));
        templates.writeSample("python3", dir.resolve("py"));
        assertTrue(Files.isRegularFile(dir.resolve("py/handler.py")) && Files.isRegularFile(dir.resolve("py/handler_test.py")));
        templates.writeSample("node20", dir.resolve("node"));
        assertTrue(Files.isRegularFile(dir.resolve("node/handler.js")) && Files.isRegularFile(dir.resolve("node/handler.test.js")));
    }
}
