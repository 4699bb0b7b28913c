-- Secrets of owners, mounted into their functions at /var/openfaas/secrets/<name>. Values are stored only
-- encrypted (AES-256-GCM under a key of the daemon's key ring, named by key_id so that keys can rotate;
-- owner and name are bound as associated data, so a row copied to another owner does not decrypt).
-- Portable SQL: runs on H2 (PostgreSQL mode) and PostgreSQL 15.

CREATE TABLE owner_secrets (
    owner          VARCHAR(100)  NOT NULL,
    name           VARCHAR(253)  NOT NULL,
    key_id         VARCHAR(40)   NOT NULL,         -- which key of the ring encrypted it
    ciphertext     TEXT          NOT NULL,         -- base64 of nonce (12 bytes) || AES-GCM ciphertext and tag
    size_bytes     INTEGER       NOT NULL,         -- length of the value in clear, shown to the owner
    origin         VARCHAR(220)  NOT NULL,         -- 'api', 'cli', or 'git:<repository>' for sealed secrets
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (owner, name)
);
CREATE INDEX owner_secrets_key ON owner_secrets (key_id);
