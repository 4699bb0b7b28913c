package dev.driftless.builder;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuilderConfigTest {
    @Test
    void testBuild_reportsEveryMissingAndWrongFieldAtOnce() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BuilderConfig.builder()
                .maxFiles(0).checkoutTimeout(Duration.ZERO).stackFileNames(List.of("../stack.yml")).build());
        assertEquals("builder configuration is incomplete: missing: workRoot, cacheRoot, target (registry or localImageStore); "
                + "maxFiles must be positive; checkoutTimeout must be positive; stackFileNames must be plain file names", e.getMessage());
    }

    @Test
    void testBuild_registryMustBeHostAndPort() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BuilderConfig.builder()
                .workRoot(Path.of("w")).cacheRoot(Path.of("c")).registry("http://evil/x", false)
                .templates(List.of(new FakeTemplate("python3"))).build());
        assertEquals("builder configuration is incomplete: registry must be host[:port], got 'http://evil/x'", e.getMessage());
    }

    @Test
    void testBuild_defaultsAndBuiltInTemplates() {
        BuilderConfig config = BuilderConfig.builder().workRoot(Path.of("w")).cacheRoot(Path.of("c")).localImageStore(Path.of("s")).build();
        assertEquals(List.of("stack.yml", "stack.yaml"), config.stackFileNames());
        assertEquals(BuilderConfig.BaseMode.EMBEDDED, config.baseMode());
        assertEquals(10_000, config.maxFiles());
        assertTrue(config.target() instanceof BuilderConfig.LocalStoreTarget l && l.folder().isAbsolute());
        assertTrue(new Builder(config).supportedLangs().containsAll(List.of("java11", "java17", "node18", "node20", "python", "python3")),
                new Builder(config).supportedLangs().toString());
    }
}
