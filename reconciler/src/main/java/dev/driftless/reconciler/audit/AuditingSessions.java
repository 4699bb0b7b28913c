package dev.driftless.reconciler.audit;

import dev.driftless.dashboard.Principal;
import dev.driftless.dashboard.SessionStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Optional;

/**
 * The dashboard's session store, recording each login (a session created, by token or GitHub sign-in) in
 * the audit trail of every owner the principal may see ({@code _daemon} for the admin).
 */
public final class AuditingSessions implements SessionStore {
    /** Owner of entries that concern the daemon as a whole rather than one owner. */
    public static final String DAEMON = "_daemon";

    private final SessionStore inner;
    private final AuditLog audit;

    public AuditingSessions(SessionStore inner, AuditLog audit) {
        this.inner = inner;
        this.audit = audit;
    }

    @Override
    public Session create(Principal principal, Duration lifetime) {
        Session session = inner.create(principal, lifetime);
        JsonObject detail = new JsonObject().put("admin", principal.admin())
                .put("owners", new JsonArray(principal.owners().stream().sorted().toList()));
        if (principal.owners().isEmpty()) {
            audit.appendQuietly(AuditEntry.of(DAEMON, principal.name(), AuditAction.LOGIN, "dashboard", detail));
        }
        for (String owner : principal.owners()) {
            audit.appendQuietly(AuditEntry.of(owner, principal.name(), AuditAction.LOGIN, "dashboard", detail));
        }
        return session;
    }

    @Override
    public Optional<Session> find(String id) {
        return inner.find(id);
    }

    @Override
    public void remove(String id) {
        inner.remove(id);
    }

    @Override
    public int expire() {
        return inner.expire();
    }

    @Override
    public Optional<String> issueState(Duration lifetime) {
        return inner.issueState(lifetime);
    }

    @Override
    public boolean consumeState(String state) {
        return inner.consumeState(state);
    }
}
