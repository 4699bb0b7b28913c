package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.SessionSecrets;
import dev.driftless.dashboard.SessionStore;
import dev.driftless.reconciler.reconcile.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The dashboard's sessions and sign-in states in the store ({@code dashboard_sessions},
 * {@code dashboard_oauth_states}), so that every replica sharing the database knows every session, a
 * GitHub callback may land on another replica than its start, and a restart logs nobody out.
 *
 * <p>Rows are keyed by the SHA-256 of the session id or state; the raw values exist only in the browser's
 * cookie and in the request. Look-ups go by that hash in SQL, so no secret is ever compared in Java.
 * Expired rows are deleted when looked up, and swept before a session is created or a state issued.
 * Blocking (JDBC): the dashboard calls it on its worker pool.
 */
public final class StoreSessions implements SessionStore {
    private static final Logger LOG = LoggerFactory.getLogger(StoreSessions.class);

    private final Transactions store;
    private final Clock clock;
    private final int maxPendingStates;

    public StoreSessions(Transactions store, Clock clock) {
        this(store, clock, MAX_PENDING_STATES);
    }

    /** With another cap on pending sign-ins than {@link SessionStore#MAX_PENDING_STATES}, for tests of the flood guard. */
    public StoreSessions(Transactions store, Clock clock, int maxPendingStates) {
        this.store = store;
        this.clock = clock;
        this.maxPendingStates = maxPendingStates;
    }

    @Override
    public Session create(Principal principal, Duration lifetime) {
        // Microseconds, the columns' precision: the session read back is the one handed out.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        sweep("dashboard_sessions", now);
        Session session = new Session(SessionSecrets.newSecret(), principal, SessionSecrets.newSecret(), now.plus(lifetime));
        run(tx -> {
            try (PreparedStatement insert = tx.prepareStatement("INSERT INTO dashboard_sessions "
                    + "(id_hash, principal, is_admin, owners, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, SessionSecrets.hash(session.id()));
                insert.setString(2, principal.name());
                insert.setBoolean(3, principal.admin());
                insert.setString(4, encodeOwners(principal.owners()));
                insert.setString(5, session.csrfToken());
                insert.setObject(6, utc(now));
                insert.setObject(7, utc(session.expiresAt()));
                return insert.executeUpdate();
            }
        });
        return session;
    }

    @Override
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String hash = SessionSecrets.hash(id);
        Instant now = clock.instant();
        return run(tx -> {
            try (PreparedStatement query = tx.prepareStatement("SELECT principal, is_admin, owners, csrf_token, expires_at "
                    + "FROM dashboard_sessions WHERE id_hash = ?")) {
                query.setString(1, hash);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    Instant expiresAt = row.getTimestamp("expires_at").toInstant();
                    if (!now.isBefore(expiresAt)) {
                        delete(tx, "DELETE FROM dashboard_sessions WHERE id_hash = ? AND expires_at <= ?", hash, now);
                        return Optional.empty();
                    }
                    Principal principal = new Principal(row.getString("principal"), row.getBoolean("is_admin"),
                            decodeOwners(row.getString("owners")));
                    return Optional.of(new Session(id, principal, row.getString("csrf_token"), expiresAt));
                }
            }
        });
    }

    @Override
    public void remove(String id) {
        if (id != null) {
            String hash = SessionSecrets.hash(id);
            run(tx -> {
                try (PreparedStatement delete = tx.prepareStatement("DELETE FROM dashboard_sessions WHERE id_hash = ?")) {
                    delete.setString(1, hash);
                    return delete.executeUpdate();
                }
            });
        }
    }

    @Override
    public int expire() {
        Instant now = clock.instant();
        return run(tx -> deleteExpired(tx, "dashboard_sessions", now) + deleteExpired(tx, "dashboard_oauth_states", now));
    }

    @Override
    public Optional<String> issueState(Duration lifetime) {
        Instant now = clock.instant();
        sweep("dashboard_oauth_states", now);
        String state = SessionSecrets.newSecret();
        // Count, then insert: replicas racing at the cap may pass it by a few, which is still a bound.
        boolean issued = run(tx -> {
            try (PreparedStatement count = tx.prepareStatement("SELECT COUNT(*) FROM dashboard_oauth_states");
                 ResultSet rows = count.executeQuery()) {
                rows.next();
                if (rows.getLong(1) >= maxPendingStates) {
                    return false;
                }
            }
            try (PreparedStatement insert = tx.prepareStatement(
                    "INSERT INTO dashboard_oauth_states (state_hash, expires_at) VALUES (?, ?)")) {
                insert.setString(1, SessionSecrets.hash(state));
                insert.setObject(2, utc(now.plus(lifetime)));
                return insert.executeUpdate() == 1;
            }
        });
        return issued ? Optional.of(state) : Optional.empty();
    }

    @Override
    public boolean consumeState(String state) {
        if (state == null) {
            return false;
        }
        String hash = SessionSecrets.hash(state);
        Instant now = clock.instant();
        // One statement: of callers racing with the same state, on any replica, exactly one deletes the row.
        return run(tx -> delete(tx, "DELETE FROM dashboard_oauth_states WHERE state_hash = ? AND expires_at > ?",
                hash, now)) == 1;
    }

    /** Housekeeping before adding a row: when it fails (say, a lock timeout) the login still goes on. */
    private void sweep(String table, Instant now) {
        try {
            store.inTransaction(tx -> deleteExpired(tx, table, now));
        } catch (SQLException e) {
            LOG.warn("event=dashboard.sweep_failed table={} error=\"{}\"", table, e.getMessage());
        }
    }

    private static int deleteExpired(Connection tx, String table, Instant now) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement("DELETE FROM " + table + " WHERE expires_at <= ?")) {
            delete.setObject(1, utc(now));
            return delete.executeUpdate();
        }
    }

    private static int delete(Connection tx, String sql, String hash, Instant now) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(sql)) {
            delete.setString(1, hash);
            delete.setObject(2, utc(now));
            return delete.executeUpdate();
        }
    }

    /** Owners are logins (letters, digits, '-'), so a space separates them safely. */
    static String encodeOwners(Set<String> owners) {
        for (String owner : owners) {
            if (owner.isEmpty() || owner.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalStateException("not an owner name: '" + owner + "'");
            }
        }
        return String.join(" ", new TreeSet<>(owners));
    }

    static Set<String> decodeOwners(String encoded) {
        return Arrays.stream(encoded.split(" ")).filter(owner -> !owner.isEmpty()).collect(Collectors.toSet());
    }

    private <T> T run(Transactions.Work<T> work) {
        try {
            return store.inTransaction(work);
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
