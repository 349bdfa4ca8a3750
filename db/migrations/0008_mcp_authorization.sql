-- 0008_mcp_authorization.sql - the broker as the OAuth 2.1 authorization server of the MCP servers
-- (docs/mcp-authorization.md): its clients, pending authorization requests, codes, grants, refresh tokens and
-- signing keys, and the upstream account an instance is bound to.
--
-- Every secret an MCP client holds (authorization code, refresh token, client secret) is stored only as the
-- lowercase hex SHA-256 of its text; the private signing keys are sealed under the data key ring like every other
-- secret of the broker.

-- Clients the broker issued an id to: registered dynamically (RFC 7591) or by the operator (admin API). Clients
-- identified by a Client ID Metadata Document (an https client_id) are not stored: their document is fetched and
-- cached. Issued ids never start with "https://".
--   metadata:     the registered client metadata, as echoed to the client (RFC 7591 3.2.1)
--   secret_hash:  confidential clients only (token_endpoint_auth_method client_secret_basic / _post)
--   expires_at:   a dynamic client unused until then is deleted (each use moves it forward); NULL = never
CREATE TABLE IF NOT EXISTS as_clients (
    client_id     text        PRIMARY KEY,
    kind          text        NOT NULL,
    metadata      jsonb       NOT NULL,
    secret_hash   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    expires_at    timestamptz,

    CONSTRAINT as_clients_id_check CHECK (client_id ~ '^[A-Za-z0-9._~-]{8,128}$'),
    CONSTRAINT as_clients_kind_check CHECK (kind IN ('dynamic', 'admin')),
    CONSTRAINT as_clients_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT as_clients_secret_check CHECK (secret_hash IS NULL OR secret_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX IF NOT EXISTS as_clients_expires_idx ON as_clients (expires_at) WHERE expires_at IS NOT NULL;

-- An authorization request between /as/authorize and the user's answer (consent, upstream sign-in). The browser
-- holds only the random request id (its hash is the key); csrf_hash binds the consent form to the browser's
-- cookie. Single use: used_at is set by the answer that consumes it.
CREATE TABLE IF NOT EXISTS as_requests (
    request_hash  text        PRIMARY KEY,
    request       jsonb       NOT NULL,
    csrf_hash     text        NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT as_requests_hash_check CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT as_requests_csrf_check CHECK (csrf_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT as_requests_request_check CHECK (jsonb_typeof(request) = 'object')
);
CREATE INDEX IF NOT EXISTS as_requests_expires_idx ON as_requests (expires_at);

-- A grant: one MCP client's access to one instance through one resource (an MCP URL). Codes redeemed and refresh
-- tokens belong to it; revoking it (user, operator, refresh-token reuse, instance disabled) ends every token of
-- it. Deleting the instance deletes its grants.
CREATE TABLE IF NOT EXISTS as_grants (
    grant_id       uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    instance_id    uuid        NOT NULL REFERENCES mcp_service_table (instance_id) ON DELETE CASCADE,
    client_id      text        NOT NULL,
    client_name    text,
    resource       text        NOT NULL,
    scope          text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz,
    revoked_at     timestamptz,
    revoked_reason text,

    CONSTRAINT as_grants_client_check CHECK (length(client_id) BETWEEN 1 AND 2048),
    CONSTRAINT as_grants_resource_check CHECK (length(resource) BETWEEN 1 AND 2048),
    CONSTRAINT as_grants_reason_check CHECK (revoked_reason IS NULL OR revoked_reason ~ '^[a-z][a-z0-9_]{0,63}$')
);
CREATE INDEX IF NOT EXISTS as_grants_instance_idx ON as_grants (instance_id);

-- Authorization codes: single use, short-lived, bound to the client, the redirect URI, the resource, the scope and
-- the PKCE challenge. grant_id is set when the code is redeemed, so a second redemption revokes what the first
-- one produced.
CREATE TABLE IF NOT EXISTS as_codes (
    code_hash      text        PRIMARY KEY,
    instance_id    uuid        NOT NULL REFERENCES mcp_service_table (instance_id) ON DELETE CASCADE,
    client_id      text        NOT NULL,
    client_name    text,
    redirect_uri   text        NOT NULL,
    resource       text        NOT NULL,
    scope          text        NOT NULL,
    code_challenge text        NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    grant_id       uuid        REFERENCES as_grants (grant_id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT as_codes_hash_check CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT as_codes_challenge_check CHECK (code_challenge ~ '^[A-Za-z0-9_-]{43}$')
);
CREATE INDEX IF NOT EXISTS as_codes_expires_idx ON as_codes (expires_at);

-- Refresh tokens: rotated on every use (used_at set, a new row for the successor). Presenting one whose used_at
-- is set is a reuse: the whole grant is revoked.
CREATE TABLE IF NOT EXISTS as_refresh_tokens (
    token_hash  text        PRIMARY KEY,
    grant_id    uuid        NOT NULL REFERENCES as_grants (grant_id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT as_refresh_tokens_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX IF NOT EXISTS as_refresh_tokens_grant_idx ON as_refresh_tokens (grant_id);

-- The keys that sign access tokens. A key is published (jwks_uri) from created_at, signs from not_before (so every
-- verifier has had time to fetch it), stops signing at retired_at and is no longer published after expires_at
-- (retired_at + the longest access token lifetime). private_key: the PKCS#8 DER sealed under the data key ring.
CREATE TABLE IF NOT EXISTS as_signing_keys (
    kid         text        PRIMARY KEY,
    alg         text        NOT NULL,
    private_key bytea       NOT NULL,
    public_jwk  jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    not_before  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz,
    expires_at  timestamptz,

    CONSTRAINT as_signing_keys_kid_check CHECK (kid ~ '^[A-Za-z0-9._-]{1,64}$'),
    CONSTRAINT as_signing_keys_alg_check CHECK (alg IN ('ES256')),
    CONSTRAINT as_signing_keys_jwk_check CHECK (jsonb_typeof(public_jwk) = 'object')
);

-- The upstream account an instance is bound to ("<provider issuer or name>|<subject>", from a validated ID token or
-- the provider's user-info answer), recorded at each authorization; and how the instance was created: 'admin'
-- (the admin API, the user's own client) or 'mcp_login' (a service URL sign-in with the operator's app
-- credentials). A service URL sign-in reuses the mcp_login instance bound to the same account.
ALTER TABLE mcp_service_table ADD COLUMN IF NOT EXISTS upstream_subject text,
                              ADD COLUMN IF NOT EXISTS origin text NOT NULL DEFAULT 'admin';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'mcp_service_table_origin_check') THEN
        ALTER TABLE mcp_service_table ADD CONSTRAINT mcp_service_table_origin_check
            CHECK (origin IN ('admin', 'mcp_login'));
    END IF;
END;
$$;
CREATE UNIQUE INDEX IF NOT EXISTS mcp_service_table_login_subject_idx
    ON mcp_service_table (service_name, upstream_subject) WHERE origin = 'mcp_login';
