package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.SessionStore;
import dev.driftless.dashboard.SessionStore.Session;
import dev.driftless.reconciler.store.Database;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StoreSessions} on a database (H2 or PostgreSQL, by subclass): the contract with each replica on
 * its own connection pool, plus what only a database shows: which values its tables hold, and the sweep.
 */
abstract class StoreSessionsContract extends SessionStoreContract {
    private final List<Database> pools = new ArrayList<>();
    private String url;
    private int maxPendingStates;

    /** A JDBC URL of a new, empty database that several pools may open. */
    abstract String freshUrl();

    @Override
    SessionStore open(int maxPendingStates) {
        this.url = freshUrl();
        this.maxPendingStates = maxPendingStates;
        return new StoreSessions(pool(), clock, maxPendingStates);
    }

    @Override
    SessionStore replica() {
        return new StoreSessions(pool(), clock, maxPendingStates);
    }

    @Override
    void close() {
        pools.forEach(Database::close);
    }

    Database pool() {
        Database pool = Database.open(url, Optional.empty(), Optional.empty(), 4);
        pools.add(pool);
        return pool;
    }

    @Test
    void theTablesHoldHashesNeverTheSessionIdOrTheState() throws Exception {
        SessionStore store = open();
        Session session = store.create(ALICE, LIFETIME);
        String state = store.issueState(STATE_LIFETIME).orElseThrow();

        List<String> sessions = rows("SELECT * FROM dashboard_sessions");
        List<String> states = rows("SELECT * FROM dashboard_oauth_states");
        assertEquals(1, sessions.size());
        assertEquals(1, states.size());
        for (String row : List.of(sessions.get(0), states.get(0))) {
            assertFalse(row.contains(session.id()), row);
            assertFalse(row.contains(state), row);
        }
        assertEquals(List.of(sha256Hex(session.id())), rows("SELECT id_hash FROM dashboard_sessions"));
        assertEquals(List.of(sha256Hex(state)), rows("SELECT state_hash FROM dashboard_oauth_states"));
        assertTrue(sessions.get(0).contains(session.csrfToken()), "the CSRF token is useless without the cookie");
    }

    @Test
    void creatingASessionOrIssuingAStateSweepsExpiredRows() throws Exception {
        SessionStore store = open();
        store.create(ALICE, Duration.ofMinutes(5));
        store.issueState(Duration.ofMinutes(5)).orElseThrow();
        clock.advance(Duration.ofMinutes(5));
        store.create(ADMIN, LIFETIME);
        store.issueState(STATE_LIFETIME).orElseThrow();
        assertEquals(List.of("1"), rows("SELECT COUNT(*) FROM dashboard_sessions"));
        assertEquals(List.of("1"), rows("SELECT COUNT(*) FROM dashboard_oauth_states"));
    }

    @Test
    void aMemberOfManyOrganisationsKeepsThemAll() {
        SessionStore store = open();
        Set<String> owners = IntStream.range(0, 1000).mapToObj(i -> "org-" + i).collect(Collectors.toSet());
        Principal member = new Principal("alice", false, owners);
        Session session = store.create(member, LIFETIME);
        assertEquals(member, replica().find(session.id()).orElseThrow().principal());
    }

    /** Every row of a query, its columns joined by '|'. */
    List<String> rows(String sql) throws SQLException {
        return pools.get(0).inTransaction(tx -> {
            try (PreparedStatement query = tx.prepareStatement(sql); ResultSet rows = query.executeQuery()) {
                List<String> all = new ArrayList<>();
                while (rows.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
                        row.append(column > 1 ? "|" : "").append(rows.getString(column));
                    }
                    all.add(row.toString());
                }
                return all;
            }
        });
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
