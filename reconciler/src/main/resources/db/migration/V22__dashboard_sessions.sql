-- The dashboard's logged-in sessions and the states of GitHub sign-ins in progress, shared by the
-- replicas and kept across restarts. Only SHA-256 hex of the session id and of the state is stored (the
-- browser's cookie holds the value): a copy of these tables logs nobody in.
-- Portable SQL: runs on H2 (PostgreSQL mode) and PostgreSQL 15.

CREATE TABLE dashboard_sessions (
    id_hash        CHAR(64)      PRIMARY KEY,
    principal      VARCHAR(100)  NOT NULL,        -- "admin", an owner, or a GitHub login
    is_admin       BOOLEAN       NOT NULL,
    owners         TEXT          NOT NULL,        -- the owners the principal may see, space-separated
    csrf_token     VARCHAR(100)  NOT NULL,        -- useless without the session cookie
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- Used once: the callback deletes its state, on whichever replica it lands.
CREATE TABLE dashboard_oauth_states (
    state_hash     CHAR(64)      PRIMARY KEY,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX dashboard_oauth_states_expiry ON dashboard_oauth_states (expires_at);
