package dev.driftless.reconciler.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The registry login: a user and a secret password for DRIFTLESS_REGISTRY, or a Docker config file. */
class RegistryLoginConfigTest {
    @TempDir
    Path dir;

    private static DriftlessConfig load(Map<String, String> env) {
        return new ConfigLoader(env).load(Optional.empty());
    }

    @Test
    void aUserAndPasswordForTheRegistryAndTheirSecrecy() throws Exception {
        Path docker = Files.writeString(dir.resolve("config.json"), "{\"auths\": {}}");
        DriftlessConfig config = load(Map.of("DRIFTLESS_REGISTRY", "registry.example:5000",
                "DRIFTLESS_REGISTRY_USERNAME", "robot", "DRIFTLESS_REGISTRY_PASSWORD", "hunter2-registry",
                "DRIFTLESS_REGISTRY_CONFIG", docker.toString()));
        assertEquals(Optional.of("robot"), config.registryUsername());
        assertEquals("hunter2-registry", config.registryPassword().orElseThrow().reveal());
        assertEquals(Optional.of(docker), config.registryDockerConfig());
        assertFalse(config.toString().contains("hunter2-registry"), "the password is never printed");
        assertFalse(dev.driftless.reconciler.app.FunctionsModuleAccess.credentials(config).contains("hunter2"));
    }

    @Test
    void halfALoginOrALoginWithoutARegistryStopsTheStart() {
        assertEquals("DRIFTLESS_REGISTRY_PASSWORD: missing; it is required when DRIFTLESS_REGISTRY_USERNAME is set",
                assertThrows(ConfigException.class, () -> load(Map.of("DRIFTLESS_REGISTRY", "r:5000",
                        "DRIFTLESS_REGISTRY_USERNAME", "robot"))).getMessage());
        assertEquals("DRIFTLESS_REGISTRY: missing; it is required when DRIFTLESS_REGISTRY_USERNAME is set (the login is "
                        + "for that registry only)", assertThrows(ConfigException.class, () -> load(Map.of(
                "DRIFTLESS_REGISTRY_USERNAME", "robot", "DRIFTLESS_REGISTRY_PASSWORD", "x"))).getMessage());
        assertEquals("DRIFTLESS_REGISTRY_CONFIG: no readable file at '/nonexistent/config.json'",
                assertThrows(ConfigException.class, () -> load(Map.of("DRIFTLESS_REGISTRY_CONFIG",
                        "/nonexistent/config.json"))).getMessage());
    }
}
