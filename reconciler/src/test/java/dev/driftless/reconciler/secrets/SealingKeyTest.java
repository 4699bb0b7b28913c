package dev.driftless.reconciler.secrets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SealingKeyTest {
    @TempDir
    Path dir;

    @Test
    void sealedWithThePublicKeyOpensOnlyForTheSameOwnerAndName() throws Exception {
        SealingKey daemon = SealingKey.loadOrCreate(dir.resolve("keys/sealing-key.pem"));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("keys/sealing-key.pem"))));
        SealingKey publicOnly = SealingKey.fromPublicPem(Files.readString(dir.resolve("keys/sealing-key.pub.pem")));
        assertEquals(daemon.fingerprint(), publicOnly.fingerprint());

        byte[] value = "hunter2-api-key".getBytes(StandardCharsets.UTF_8);
        String sealed = publicOnly.seal("alice", "api-key", value);
        assertTrue(sealed.startsWith(SealingKey.PREFIX) && !sealed.contains("\n"), sealed);
        assertFalse(sealed.contains("hunter2"));
        assertArrayEquals(value, daemon.unseal("alice", "api-key", sealed + "\n"));
        assertArrayEquals(value, daemon.unseal("Alice", "api-key", sealed), "GitHub logins are case-insensitive");

        assertTrue(assertThrows(GeneralSecurityException.class, () -> daemon.unseal("bob", "api-key", sealed))
                .getMessage().contains("another owner"));
        assertThrows(GeneralSecurityException.class, () -> daemon.unseal("alice", "other-name", sealed));
        assertThrows(GeneralSecurityException.class, () -> publicOnly.unseal("alice", "api-key", sealed));
        String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThrows(GeneralSecurityException.class, () -> daemon.unseal("alice", "api-key", tampered));
        assertThrows(GeneralSecurityException.class, () -> daemon.unseal("alice", "api-key", "plain text"));

        SealingKey otherDaemon = SealingKey.loadOrCreate(dir.resolve("other/sealing-key.pem"));
        assertTrue(assertThrows(GeneralSecurityException.class, () -> otherDaemon.unseal("alice", "api-key", sealed))
                .getMessage().contains("another key"));
        // The same file opens the same key after a restart.
        assertArrayEquals(value, SealingKey.loadOrCreate(dir.resolve("keys/sealing-key.pem")).unseal("alice", "api-key", sealed));
    }
}
