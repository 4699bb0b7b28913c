package dev.driftless.reconciler.secrets;

import dev.driftless.reconciler.intake.TokenStore;
import dev.driftless.reconciler.store.Database;
import dev.driftless.runtime.local.SecretValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Owners' secrets in the store, encrypted at rest with the {@link SecretKeyRing}: values go in and come out
 * only through {@link #put} and {@link #read} (for the runtime); everything a person sees is
 * {@link SecretInfo} (name, size, origin, dates). Blocking (JDBC): call from worker threads.
 */
public final class SecretStore {
    private static final Logger LOG = LoggerFactory.getLogger(SecretStore.class);
    /** Largest value accepted: a key file or a certificate chain fits; a Kubernetes Secret holds at most 1 MiB. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    private final Database db;
    private final Clock clock;
    private volatile SecretKeyRing ring;

    public SecretStore(Database db, SecretKeyRing ring, Clock clock) {
        this.db = db;
        this.ring = ring;
        this.clock = clock;
    }

    /** What an owner may know about a secret: never its value. */
    public record SecretInfo(String owner, String name, int sizeBytes, String origin, String keyId,
                             Instant createdAt, Instant updatedAt) { }

    /** Whether a put created the secret or replaced its value. */
    public enum PutResult { CREATED, UPDATED }

    /** Checks an owner and a secret name, with a message a person can act on. */
    public static void validate(String owner, String name) {
        if (!TokenStore.validOwner(owner)) {
            throw new IllegalArgumentException("not an owner name (letters, digits, '-', up to 39 characters): '" + owner + "'");
        }
        if (name == null || !SecretValues.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a secret name (letters, digits, '.', '_', '-', not starting with '.',"
                    + " up to 253 characters): '" + name + "'");
        }
    }

    /** Stores (creates or replaces) a secret's value, encrypted under the active key. */
    public PutResult put(String owner, String name, byte[] value, String origin) throws SQLException {
        validate(owner, name);
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("secret " + name + " is " + value.length + " bytes; at most "
                    + MAX_VALUE_BYTES + " are accepted");
        }
        SecretKeyRing.Sealed sealed = ring.encrypt(value, binding(owner, name));
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        PutResult result = db.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement("UPDATE owner_secrets SET key_id = ?, ciphertext = ?, "
                    + "size_bytes = ?, origin = ?, updated_at = ? WHERE owner = ? AND name = ?")) {
                update.setString(1, sealed.keyId());
                update.setString(2, Base64.getEncoder().encodeToString(sealed.bytes()));
                update.setInt(3, value.length);
                update.setString(4, origin);
                update.setObject(5, now);
                update.setString(6, owner);
                update.setString(7, name);
                if (update.executeUpdate() == 1) {
                    return PutResult.UPDATED;
                }
            }
            try (PreparedStatement insert = tx.prepareStatement("INSERT INTO owner_secrets (owner, name, key_id, "
                    + "ciphertext, size_bytes, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, owner);
                insert.setString(2, name);
                insert.setString(3, sealed.keyId());
                insert.setString(4, Base64.getEncoder().encodeToString(sealed.bytes()));
                insert.setInt(5, value.length);
                insert.setString(6, origin);
                insert.setObject(7, now);
                insert.setObject(8, now);
                insert.executeUpdate();
                return PutResult.CREATED;
            }
        });
        LOG.info("event=secret.stored owner={} name={} result={} size={} origin={} key={}", owner, name, result,
                value.length, origin, sealed.keyId());
        return result;
    }

    /** The owner's secrets, by name. */
    public List<SecretInfo> list(String owner) throws SQLException {
        return db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT owner, name, size_bytes, origin, key_id, created_at, "
                    + "updated_at FROM owner_secrets WHERE owner = ? ORDER BY name")) {
                q.setString(1, owner);
                List<SecretInfo> out = new ArrayList<>();
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        out.add(new SecretInfo(rows.getString(1), rows.getString(2), rows.getInt(3), rows.getString(4),
                                rows.getString(5), rows.getObject(6, OffsetDateTime.class).toInstant(),
                                rows.getObject(7, OffsetDateTime.class).toInstant()));
                    }
                }
                return out;
            }
        });
    }

    public Optional<SecretInfo> info(String owner, String name) throws SQLException {
        return list(owner).stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Deletes a secret; false when there was none. Functions that use it keep running until their next deploy. */
    public boolean delete(String owner, String name) throws SQLException {
        boolean deleted = db.inTransaction(tx -> {
            try (PreparedStatement delete = tx.prepareStatement("DELETE FROM owner_secrets WHERE owner = ? AND name = ?")) {
                delete.setString(1, owner);
                delete.setString(2, name);
                return delete.executeUpdate() == 1;
            }
        });
        if (deleted) {
            LOG.info("event=secret.deleted owner={} name={}", owner, name);
        }
        return deleted;
    }

    /** The value in clear, for mounting into a function; empty when the owner has no such secret. */
    public Optional<byte[]> read(String owner, String name) throws SQLException, GeneralSecurityException {
        Optional<SecretKeyRing.Sealed> sealed = db.inTransaction(tx -> row(tx, owner, name));
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(decrypt(owner, name, sealed.get()));
    }

    /** The runtime's view: a {@link SecretValues} over this store. */
    public SecretValues values() {
        return (owner, name) -> {
            try {
                return read(owner, name);
            } catch (SQLException e) {
                throw new IOException("store: " + e.getMessage(), e);
            } catch (GeneralSecurityException e) {
                throw new IOException("secret " + name + " of " + owner + " cannot be decrypted: " + e.getMessage(), e);
            }
        };
    }

    /**
     * Re-encrypts every secret not under the active key with it; returns how many. Old keys stay in the ring
     * (a value written by a replica that has not reloaded it yet is still readable).
     */
    public int reencrypt() throws SQLException, GeneralSecurityException {
        String active = ring.activeKeyId();
        List<String[]> stale = db.inTransaction(tx -> {
            try (PreparedStatement q = tx.prepareStatement("SELECT owner, name FROM owner_secrets WHERE key_id <> ?")) {
                q.setString(1, active);
                List<String[]> out = new ArrayList<>();
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        out.add(new String[] {rows.getString(1), rows.getString(2)});
                    }
                }
                return out;
            }
        });
        int count = 0;
        for (String[] id : stale) {
            Optional<SecretKeyRing.Sealed> sealed = db.inTransaction(tx -> row(tx, id[0], id[1]));
            if (sealed.isEmpty() || sealed.get().keyId().equals(active)) {
                continue;
            }
            byte[] value = decrypt(id[0], id[1], sealed.get());
            SecretKeyRing.Sealed fresh = ring.encrypt(value, binding(id[0], id[1]));
            int changed = db.inTransaction(tx -> {
                // Only if nobody replaced the value meanwhile (compare-and-set on the old ciphertext).
                try (PreparedStatement update = tx.prepareStatement("UPDATE owner_secrets SET key_id = ?, ciphertext = ? "
                        + "WHERE owner = ? AND name = ? AND ciphertext = ?")) {
                    update.setString(1, fresh.keyId());
                    update.setString(2, Base64.getEncoder().encodeToString(fresh.bytes()));
                    update.setString(3, id[0]);
                    update.setString(4, id[1]);
                    update.setString(5, Base64.getEncoder().encodeToString(sealed.get().bytes()));
                    return update.executeUpdate();
                }
            });
            count += changed;
        }
        LOG.info("event=secret.reencrypted count={} key={}", count, active);
        return count;
    }

    /** Switches to a rotated ring (the file now has a newer active key). */
    public void useRing(SecretKeyRing next) {
        this.ring = next;
    }

    public SecretKeyRing ring() {
        return ring;
    }

    private byte[] decrypt(String owner, String name, SecretKeyRing.Sealed sealed) throws GeneralSecurityException {
        SecretKeyRing current = ring;
        if (!current.keyIds().contains(sealed.keyId())) {
            // Another process (driftless secret rotate-key, another replica) added a key: read the file again.
            try {
                current = SecretKeyRing.load(current.file());
                ring = current;
            } catch (IOException e) {
                throw new GeneralSecurityException("key " + sealed.keyId() + " unknown and " + e.getMessage());
            }
        }
        return current.decrypt(sealed, binding(owner, name));
    }

    private static Optional<SecretKeyRing.Sealed> row(Connection tx, String owner, String name) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement(
                "SELECT key_id, ciphertext FROM owner_secrets WHERE owner = ? AND name = ?")) {
            q.setString(1, owner);
            q.setString(2, name);
            try (ResultSet rows = q.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new SecretKeyRing.Sealed(rows.getString(1), Base64.getDecoder().decode(rows.getString(2))));
            }
        }
    }

    static byte[] binding(String owner, String name) {
        return ("driftless-secret:v1\0" + owner + "\0" + name).getBytes(StandardCharsets.UTF_8);
    }
}
