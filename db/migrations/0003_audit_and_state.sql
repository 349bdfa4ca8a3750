-- 0003_audit_and_state.sql - the token audit log and consumed OAuth states.

-- Append-only history of what happened to an instance's credentials. No foreign key: the
-- history of a deleted instance is kept. detail never holds a secret (token, client secret, key).
CREATE TABLE IF NOT EXISTS token_audit_log (
    id          bigserial   PRIMARY KEY,
    instance_id uuid,
    event       text        NOT NULL,
    actor       text        NOT NULL DEFAULT 'system',
    detail      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),

    -- created, authorized, refreshed, refresh_failed, revoked, imported, status_changed, deleted, ...
    CONSTRAINT token_audit_log_event_check CHECK (event ~ '^[a-z][a-z0-9_]{0,63}$'),
    CONSTRAINT token_audit_log_actor_check CHECK (length(actor) BETWEEN 1 AND 256),
    CONSTRAINT token_audit_log_detail_check CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX IF NOT EXISTS token_audit_log_instance_idx ON token_audit_log (instance_id, created_at);
CREATE INDEX IF NOT EXISTS token_audit_log_created_idx ON token_audit_log (created_at);

-- OAuth states already consumed by a callback (replay protection across replicas). A row lives
-- until the state itself would have expired; purge with DELETE ... WHERE expires_at < now().
CREATE TABLE IF NOT EXISTS oauth_state_nonces (
    nonce       text        PRIMARY KEY,
    instance_id uuid        NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT oauth_state_nonces_nonce_check CHECK (length(nonce) BETWEEN 16 AND 256)
);
CREATE INDEX IF NOT EXISTS oauth_state_nonces_expires_idx ON oauth_state_nonces (expires_at);
