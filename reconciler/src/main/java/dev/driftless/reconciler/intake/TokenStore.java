package dev.driftless.reconciler.intake;

import dev.driftless.reconciler.audit.AuditAction;
import dev.driftless.reconciler.audit.AuditEntry;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.store.Database;
import io.vertx.core.json.JsonObject;
import dev.driftless.webhook.PushAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tokens for the built-in git endpoint. A token is shown once when created; the store keeps only its
 * SHA-256, and checks compare hashes in constant time. Blocking (JDBC): call from a worker thread.
 */
public final class TokenStore implements PushAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final String PREFIX = "dl_";

    private final Database db;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public TokenStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public static boolean validOwner(String owner) {
        return owner != null && OWNER.matcher(owner).matches();
    }

    /** Creates a token for {@code owner} and returns it in clear: the only time it exists outside a client. */
    public String create(String owner) throws SQLException {
        return create(owner, "cli");
    }

    /** Like {@link #create(String)}, naming who created it in the audit trail. */
    public String create(String owner, String actor) throws SQLException {
        if (!validOwner(owner)) {
            throw new IllegalArgumentException("not an owner name (letters, digits, '-', up to 39): '" + owner + "'");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        db.inTransaction(tx -> {
            try (PreparedStatement insert = tx.prepareStatement(
                    "INSERT INTO tokens (token_hash, owner, created_at) VALUES (?, ?, ?)")) {
                insert.setString(1, sha256(token));
                insert.setString(2, owner);
                insert.setObject(3, now());
                insert.executeUpdate();
            }
            // The audit entry names the token by the first characters of its hash, never by its value.
            new AuditLog(db, clock).append(tx, AuditEntry.of(owner, actor, AuditAction.TOKEN_CREATED, "",
                    new JsonObject().put("tokenHash", sha256(token).substring(0, 12))));
            return 1;
        });
        LOG.info("event=token.created owner={}", owner);
        return token;
    }

    /** The owner a token belongs to, for logging in to the dashboard and the API with it. */
    public Optional<String> ownerOf(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        String hash = sha256(token);
        try {
            Optional<String> owner = db.inTransaction(tx -> {
                try (PreparedStatement q = tx.prepareStatement("SELECT owner FROM tokens WHERE token_hash = ?")) {
                    q.setString(1, hash);
                    try (ResultSet rows = q.executeQuery()) {
                        return rows.next() ? Optional.of(rows.getString(1)) : Optional.<String>empty();
                    }
                }
            });
            if (owner.isPresent()) {
                touch(hash);
            }
            return owner;
        } catch (SQLException e) {
            LOG.warn("event=token.lookup_failed error=\"{}\"", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public boolean mayAccess(String owner, String username, String token) {
        if (!validOwner(owner) || token == null || token.isEmpty() || token.length() > 200) {
            return false;
        }
        String hash = sha256(token);
        try {
            Optional<String[]> row = db.inTransaction(tx -> {
                try (PreparedStatement q = tx.prepareStatement("SELECT token_hash, owner FROM tokens WHERE token_hash = ?")) {
                    q.setString(1, hash);
                    try (ResultSet rows = q.executeQuery()) {
                        return rows.next() ? Optional.of(new String[] {rows.getString(1), rows.getString(2)}) : Optional.empty();
                    }
                }
            });
            // The lookup key is a hash of the token, so its timing reveals nothing usable; the final
            // comparison is constant-time anyway.
            boolean ok = row.isPresent()
                    & MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                            row.map(r -> r[0]).orElse("").getBytes(StandardCharsets.US_ASCII))
                    & row.map(r -> r[1].equals(owner)).orElse(false);
            if (ok) {
                touch(hash);
            }
            return ok;
        } catch (SQLException e) {
            LOG.warn("event=token.check_failed owner={} error=\"{}\"", owner, e.toString());
            return false;
        }
    }

    private void touch(String hash) throws SQLException {
        db.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement("UPDATE tokens SET last_used_at = ? WHERE token_hash = ?")) {
                update.setObject(1, now());
                update.setString(2, hash);
                return update.executeUpdate();
            }
        });
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
