package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.reconcile.ReconcileEvent;
import dev.driftless.reconciler.reconcile.Transactions;
import dev.driftless.reconciler.secrets.SecretKeyRing;
import dev.driftless.reconciler.secrets.SecretStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
import java.util.function.Supplier;

/**
 * Where an owner's notifications go: the daemon's default target (settings), the owner's own (API, dashboard;
 * table {@code owner_notifications}, the signing secret encrypted under the secrets key ring), and each
 * repository's {@code .driftless.yml} (table {@code repository_notifications}). Blocking (JDBC).
 */
public final class NotificationSettings {
    /** An owner's target as shown: never the secret, only whether one is set. */
    public record OwnerTarget(String owner, NotificationTarget target, boolean secretSet, Instant updatedAt) {
        public JsonObject toJson() {
            return new JsonObject().put("owner", owner).put("url", target.url().toString())
                    .put("format", target.format().wireName())
                    .put("events", new JsonArray(target.events().stream().sorted().map(ReconcileEvent.Type::wireName).toList()))
                    .put("secretSet", secretSet).put("updatedAt", updatedAt.toString());
        }
    }

    /** The signing secret of a change: keep the stored one, set a new one, or remove it. */
    public sealed interface SecretChange {
        record Keep() implements SecretChange { }
        record Set(String value) implements SecretChange {
            public Set {
                if (value == null || value.isEmpty() || value.length() > 1024) {
                    throw new IllegalArgumentException("secret must be 1 to 1024 characters");
                }
            }
            @Override
            public String toString() {
                return "Set[***]";
            }
        }
        record Remove() implements SecretChange { }
    }

    private final Transactions store;
    private final Supplier<SecretKeyRing> ring;
    private final SecretStore secrets;
    private final Optional<NotificationTarget> defaultTarget;
    private final Optional<String> defaultSecret;
    private final Clock clock;

    public NotificationSettings(Transactions store, SecretStore secrets, Optional<NotificationTarget> defaultTarget,
                                Optional<String> defaultSecret, Clock clock) {
        this.store = store;
        this.secrets = secrets;
        this.ring = secrets::ring;
        this.defaultTarget = defaultTarget;
        this.defaultSecret = defaultSecret;
        this.clock = clock;
    }

    /** The targets an event of {@code owner}'s {@code repository} goes to, read in the event's transaction. */
    List<NotificationTarget> targetsFor(Connection tx, String owner, String repository) throws SQLException {
        List<NotificationTarget> targets = new ArrayList<>();
        defaultTarget.ifPresent(targets::add);
        Optional<OwnerTarget> own = ownerTarget(tx, owner);
        own.ifPresent(t -> targets.add(t.target()));
        boolean ownerSecret = own.map(OwnerTarget::secretSet).orElse(false);
        for (NotificationTarget t : repositoryTargets(tx, owner, repository)) {
            // A repository's JSON target that names no secret is signed with the owner's, when one is set.
            targets.add(t.format() == NotificationFormat.JSON && t.secretRef().isEmpty() && ownerSecret
                    ? new NotificationTarget(t.url(), t.format(), t.events(), Optional.of("owner"), t.origin()) : t);
        }
        return targets;
    }

    public Optional<OwnerTarget> ownerTarget(String owner) throws SQLException {
        return store.inTransaction(tx -> ownerTarget(tx, owner));
    }

    static Optional<OwnerTarget> ownerTarget(Connection tx, String owner) throws SQLException {
        try (PreparedStatement q = tx.prepareStatement("SELECT url, format, events, secret_key_id, updated_at "
                + "FROM owner_notifications WHERE owner = ?")) {
            q.setString(1, owner);
            try (ResultSet rows = q.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                boolean secretSet = rows.getString(4) != null;
                NotificationTarget target = new NotificationTarget(NotificationTarget.url(rows.getString(1)),
                        NotificationFormat.parse(rows.getString(2)), NotificationTarget.parseEventsText(rows.getString(3)),
                        secretSet ? Optional.of("owner") : Optional.empty(), NotificationTarget.Origin.OWNER);
                return Optional.of(new OwnerTarget(owner, target, secretSet,
                        rows.getObject(5, OffsetDateTime.class).toInstant()));
            }
        }
    }

    /**
     * Sets the owner's target in {@code tx} (the caller writes the audit entry in the same one); returns what is
     * stored now. A JSON target keeps its secret unless told otherwise.
     */
    public OwnerTarget putOwnerTarget(Connection tx, String owner, java.net.URI url, NotificationFormat format,
                                      java.util.Set<ReconcileEvent.Type> events, SecretChange secret) throws SQLException {
        Optional<OwnerTarget> before = ownerTarget(tx, owner);
        String keyId = null;
        String ciphertext = null;
        if (secret instanceof SecretChange.Set set) {
            SecretKeyRing.Sealed sealed = ring.get().encrypt(set.value().getBytes(StandardCharsets.UTF_8), binding(owner));
            keyId = sealed.keyId();
            ciphertext = Base64.getEncoder().encodeToString(sealed.bytes());
        } else if (secret instanceof SecretChange.Keep && before.isPresent() && before.get().secretSet()) {
            try (PreparedStatement q = tx.prepareStatement(
                    "SELECT secret_key_id, secret_ciphertext FROM owner_notifications WHERE owner = ?")) {
                q.setString(1, owner);
                try (ResultSet rows = q.executeQuery()) {
                    if (rows.next()) {
                        keyId = rows.getString(1);
                        ciphertext = rows.getString(2);
                    }
                }
            }
        }
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        String sql = before.isPresent()
                ? "UPDATE owner_notifications SET url = ?, format = ?, events = ?, secret_key_id = ?, secret_ciphertext = ?, "
                        + "updated_at = ? WHERE owner = ?"
                : "INSERT INTO owner_notifications (url, format, events, secret_key_id, secret_ciphertext, updated_at, owner) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement write = tx.prepareStatement(sql)) {
            write.setString(1, url.toString());
            write.setString(2, format.wireName());
            write.setString(3, NotificationTarget.eventsText(events));
            write.setString(4, keyId);
            write.setString(5, ciphertext);
            write.setObject(6, now);
            write.setString(7, owner);
            write.executeUpdate();
        }
        return ownerTarget(tx, owner).orElseThrow();
    }

    /** Removes the owner's target in {@code tx}; false when there was none. */
    public boolean removeOwnerTarget(Connection tx, String owner) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement("DELETE FROM owner_notifications WHERE owner = ?")) {
            delete.setString(1, owner);
            return delete.executeUpdate() == 1;
        }
    }

    /** Replaces the targets of a repository with those of its newest built commit's {@code .driftless.yml}. */
    public void putRepositoryTargets(String owner, String repository, String commit, List<NotificationTarget> targets)
            throws SQLException {
        JsonArray json = new JsonArray();
        for (NotificationTarget t : targets) {
            json.add(new JsonObject().put("url", t.url().toString()).put("format", t.format().wireName())
                    .put("events", NotificationTarget.eventsText(t.events())).put("secret", t.secretRef().orElse(null)));
        }
        store.inTransaction(tx -> {
            try (PreparedStatement delete = tx.prepareStatement(
                    "DELETE FROM repository_notifications WHERE owner = ? AND repository = ?")) {
                delete.setString(1, owner);
                delete.setString(2, repository);
                delete.executeUpdate();
            }
            if (!targets.isEmpty()) {
                try (PreparedStatement insert = tx.prepareStatement("INSERT INTO repository_notifications "
                        + "(owner, repository, targets, commit_sha, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                    insert.setString(1, owner);
                    insert.setString(2, repository);
                    insert.setString(3, json.encode());
                    insert.setString(4, commit);
                    insert.setObject(5, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                    insert.executeUpdate();
                }
            }
            return null;
        });
    }

    public List<NotificationTarget> repositoryTargets(String owner, String repository) throws SQLException {
        return store.inTransaction(tx -> repositoryTargets(tx, owner, repository));
    }

    private static List<NotificationTarget> repositoryTargets(Connection tx, String owner, String repository)
            throws SQLException {
        try (PreparedStatement q = tx.prepareStatement(
                "SELECT targets FROM repository_notifications WHERE owner = ? AND repository = ?")) {
            q.setString(1, owner);
            q.setString(2, repository);
            try (ResultSet rows = q.executeQuery()) {
                if (!rows.next()) {
                    return List.of();
                }
                List<NotificationTarget> targets = new ArrayList<>();
                for (Object o : new JsonArray(rows.getString(1))) {
                    JsonObject t = (JsonObject) o;
                    targets.add(new NotificationTarget(NotificationTarget.url(t.getString("url")),
                            NotificationFormat.parse(t.getString("format")),
                            NotificationTarget.parseEventsText(t.getString("events")),
                            Optional.ofNullable(t.getString("secret")), NotificationTarget.Origin.REPOSITORY));
                }
                return targets;
            }
        }
    }

    /**
     * The signing secret a row names, read when sending (never stored in the outbox): {@code default} (the
     * daemon's setting), {@code owner} (the owner's, decrypted), {@code secret:<name>} (an owner secret).
     */
    Optional<byte[]> secret(String owner, String ref) throws SQLException, GeneralSecurityException {
        if (ref.equals("default")) {
            return defaultSecret.map(s -> s.getBytes(StandardCharsets.UTF_8));
        }
        if (ref.equals("owner")) {
            Optional<String[]> sealed = store.inTransaction(tx -> {
                try (PreparedStatement q = tx.prepareStatement(
                        "SELECT secret_key_id, secret_ciphertext FROM owner_notifications WHERE owner = ?")) {
                    q.setString(1, owner);
                    try (ResultSet rows = q.executeQuery()) {
                        return rows.next() && rows.getString(1) != null
                                ? Optional.of(new String[] {rows.getString(1), rows.getString(2)})
                                : Optional.<String[]>empty();
                    }
                }
            });
            if (sealed.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(ring.get().decrypt(new SecretKeyRing.Sealed(sealed.get()[0],
                    Base64.getDecoder().decode(sealed.get()[1])), binding(owner)));
        }
        if (ref.startsWith("secret:")) {
            return secrets.read(owner, ref.substring("secret:".length()));
        }
        throw new IllegalArgumentException("unknown secret reference '" + ref + "'");
    }

    private static byte[] binding(String owner) {
        return ("driftless-notifications\0" + owner).getBytes(StandardCharsets.UTF_8);
    }
}
