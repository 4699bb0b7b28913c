package dev.driftless.reconciler;

import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.cli.ExitCode;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.secrets.SealingKey;
import dev.driftless.reconciler.secrets.SecretKeyRing;
import dev.driftless.reconciler.secrets.SecretStore;
import dev.driftless.reconciler.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretCommandTest {
    private static final String VALUE = "s3cret-Fh29Qa";

    @TempDir
    Path dir;
    private ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ExitCode run(String stdin, String... args) {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        return new Main(Map.of("DRIFTLESS_DATA", dir.toString()), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createListDeleteNeverPrintTheValue() throws Exception {
        assertEquals(ExitCode.OK, run(VALUE + "\n", "secret", "create", "alice", "db-password"));
        assertFalse(printed().contains(VALUE));
        Path file = Files.writeString(dir.resolve("cert.pem"), "line1\nline2\n");
        assertEquals(ExitCode.OK, run("", "secret", "create", "alice", "tls-cert", "--from-file", file.toString()));

        assertEquals(ExitCode.OK, run("", "secret", "list", "alice"));
        String list = out.toString(StandardCharsets.UTF_8);
        assertTrue(list.contains("db-password") && list.contains(" " + VALUE.length() + " "), list);
        assertTrue(list.contains("tls-cert") && list.contains(" 12 "), "--from-file keeps the bytes: " + list);
        assertFalse(printed().contains(VALUE));

        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.toString())).load(Optional.empty());
        try (Database db = Database.open(config.dbUrl(), Optional.empty(), Optional.empty(), 2)) {
            SecretStore store = new SecretStore(db, SecretKeyRing.load(config.secretKeysPath()), Clock.systemUTC());
            assertArrayEquals(VALUE.getBytes(StandardCharsets.UTF_8), store.read("alice", "db-password").orElseThrow(),
                    "one trailing newline from stdin is dropped");
            assertEquals(List.of("secret.created", "secret.created"), new AuditLog(db, Clock.systemUTC())
                    .page("alice", 0, 10).entries().stream().map(e -> e.action()).toList());
        }

        assertEquals(ExitCode.OK, run("", "secret", "delete", "alice", "db-password"));
        assertEquals(ExitCode.RUNTIME_FAILURE, run("", "secret", "delete", "alice", "db-password"));
        assertTrue(printed().contains("has no secret db-password"), printed());
    }

    @Test
    void valuesAreNotTakenFromTheCommandLineAndBadInputIsAUsageError() {
        assertEquals(ExitCode.USAGE, run("", "secret", "create", "alice", "db-password", VALUE));
        assertTrue(printed().contains("not taken from the command line"), printed());
        assertEquals(ExitCode.USAGE, run("", "secret", "create", "alice", "db-password"));
        assertTrue(printed().contains("empty value"), printed());
        assertEquals(ExitCode.USAGE, run("x", "secret", "create", "alice", "../etc"));
        assertTrue(printed().contains("not a secret name"), printed());
        assertEquals(ExitCode.USAGE, run("", "secret", "frobnicate"));
        assertEquals(ExitCode.USAGE, run("", "secret"));
        assertEquals(ExitCode.OK, run("", "secret", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rotate-key"));
    }

    @Test
    void sealPrintsALineOnlyTheDaemonOpensAndRotateKeyKeepsValuesReadable() throws Exception {
        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.toString())).load(Optional.empty());
        assertEquals(ExitCode.RUNTIME_FAILURE, run(VALUE, "secret", "seal", "alice", "api-key"));
        assertTrue(printed().contains("no public key"), printed());
        SealingKey daemonKey = SealingKey.loadOrCreate(config.sealingKeyPath()); // what the daemon does at start

        assertEquals(ExitCode.OK, run(VALUE, "secret", "seal", "alice", "api-key"));
        String sealed = out.toString(StandardCharsets.UTF_8).strip();
        assertFalse(sealed.contains(VALUE));
        assertArrayEquals(VALUE.getBytes(StandardCharsets.UTF_8), daemonKey.unseal("alice", "api-key", sealed));
        Path cert = SealingKey.publicFileOf(config.sealingKeyPath());
        assertEquals(ExitCode.OK, run(VALUE, "secret", "seal", "bob", "api-key", "--cert", cert.toString()));

        assertEquals(ExitCode.OK, run(VALUE, "secret", "create", "alice", "api-key"));
        String before = SecretKeyRing.load(config.secretKeysPath()).activeKeyId();
        assertEquals(ExitCode.OK, run("", "secret", "rotate-key"));
        assertTrue(printed().contains("re-encrypted 1 secret(s)"), printed());
        SecretKeyRing ring = SecretKeyRing.load(config.secretKeysPath());
        assertEquals(2, ring.keyIds().size());
        assertEquals(before, ring.keyIds().get(0));
        try (Database db = Database.open(config.dbUrl(), Optional.empty(), Optional.empty(), 2)) {
            SecretStore store = new SecretStore(db, ring, Clock.systemUTC());
            assertArrayEquals(VALUE.getBytes(StandardCharsets.UTF_8), store.read("alice", "api-key").orElseThrow());
            assertEquals(ring.activeKeyId(), store.list("alice").get(0).keyId());
        }
    }
}
