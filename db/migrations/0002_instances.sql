-- 0002_instances.sql - service instances (one per user and connection) and their credentials.

-- One row per instance a user created for a service. The instance's MCP access key is shown once
-- at creation; only its SHA-256 (lowercase hex) is stored.
CREATE TABLE IF NOT EXISTS mcp_service_table (
    instance_id   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       text        NOT NULL,
    service_name  text        NOT NULL,
    status        text        NOT NULL DEFAULT 'active',
    oauth_status  text        NOT NULL DEFAULT 'pending',
    expires_at    timestamptz,
    usage_count   bigint      NOT NULL DEFAULT 0,
    last_used_at  timestamptz,
    custom_name   text,
    mcp_key_hash  text        NOT NULL,
    row_version   bigint      NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT mcp_service_table_service_fkey FOREIGN KEY (service_name)
        REFERENCES mcp_table (service_name) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT mcp_service_table_key_hash_key UNIQUE (mcp_key_hash),
    CONSTRAINT mcp_service_table_key_hash_check CHECK (mcp_key_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT mcp_service_table_user_id_check CHECK (length(user_id) BETWEEN 1 AND 256),
    CONSTRAINT mcp_service_table_status_check
        CHECK (status IN ('active', 'inactive', 'expired', 'needs_reauth')),
    CONSTRAINT mcp_service_table_oauth_status_check CHECK (oauth_status IN ('pending', 'completed', 'failed')),
    CONSTRAINT mcp_service_table_usage_check CHECK (usage_count >= 0),
    CONSTRAINT mcp_service_table_custom_name_check CHECK (custom_name IS NULL OR length(custom_name) <= 255),
    CONSTRAINT mcp_service_table_row_version_check CHECK (row_version >= 1)
);
CREATE INDEX IF NOT EXISTS mcp_service_table_user_id_idx ON mcp_service_table (user_id);
CREATE INDEX IF NOT EXISTS mcp_service_table_service_name_idx ON mcp_service_table (service_name);
CREATE INDEX IF NOT EXISTS mcp_service_table_status_idx ON mcp_service_table (status);

CREATE OR REPLACE TRIGGER mcp_service_table_touch
    BEFORE UPDATE ON mcp_service_table
    FOR EACH ROW EXECUTE FUNCTION ob_touch_updated_at();

-- Keeps mcp_table.total_instances / active_instances equal to the instance rows, whoever writes them
-- (application code never updates the counters itself).
CREATE OR REPLACE FUNCTION ob_count_instances() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE mcp_table
           SET total_instances = total_instances - 1,
               active_instances = active_instances - (OLD.status = 'active')::int
         WHERE service_name = OLD.service_name;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE mcp_table
           SET total_instances = total_instances + 1,
               active_instances = active_instances + (NEW.status = 'active')::int
         WHERE service_name = NEW.service_name;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER mcp_service_table_count
    AFTER INSERT OR DELETE OR UPDATE OF service_name, status ON mcp_service_table
    FOR EACH ROW EXECUTE FUNCTION ob_count_instances();

-- The instance's OAuth client and tokens. Secrets exist only as AES-256-GCM ciphertext
-- (iv(12) || ciphertext || tag(16), so at least 28 bytes) next to the id of the key that sealed them;
-- there are no plaintext token or secret columns.
CREATE TABLE IF NOT EXISTS mcp_credentials (
    instance_id          uuid        PRIMARY KEY,
    client_id            text,
    client_secret_enc    bytea,
    client_secret_key_id text,
    access_token_enc     bytea,
    access_token_key_id  text,
    refresh_token_enc    bytea,
    refresh_token_key_id text,
    token_expires_at     timestamptz,
    refresh_expires_at   timestamptz,
    scope                text,
    token_type           text,
    provider_options     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    row_version          bigint      NOT NULL DEFAULT 1,
    -- refresh failure bookkeeping: consecutive failures, earliest next attempt, last error code
    refresh_failures     integer     NOT NULL DEFAULT 0,
    next_refresh_at      timestamptz,
    last_error_code      text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT mcp_credentials_instance_fkey FOREIGN KEY (instance_id)
        REFERENCES mcp_service_table (instance_id) ON DELETE CASCADE,
    CONSTRAINT mcp_credentials_client_secret_check
        CHECK ((client_secret_enc IS NULL) = (client_secret_key_id IS NULL)
               AND (client_secret_enc IS NULL OR octet_length(client_secret_enc) >= 28)),
    CONSTRAINT mcp_credentials_access_token_check
        CHECK ((access_token_enc IS NULL) = (access_token_key_id IS NULL)
               AND (access_token_enc IS NULL OR octet_length(access_token_enc) >= 28)),
    CONSTRAINT mcp_credentials_refresh_token_check
        CHECK ((refresh_token_enc IS NULL) = (refresh_token_key_id IS NULL)
               AND (refresh_token_enc IS NULL OR octet_length(refresh_token_enc) >= 28)),
    CONSTRAINT mcp_credentials_key_ids_check
        CHECK (COALESCE(length(client_secret_key_id), 1) BETWEEN 1 AND 64
               AND COALESCE(length(access_token_key_id), 1) BETWEEN 1 AND 64
               AND COALESCE(length(refresh_token_key_id), 1) BETWEEN 1 AND 64),
    CONSTRAINT mcp_credentials_provider_options_check CHECK (jsonb_typeof(provider_options) = 'object'),
    CONSTRAINT mcp_credentials_row_version_check CHECK (row_version >= 1),
    CONSTRAINT mcp_credentials_refresh_failures_check CHECK (refresh_failures >= 0)
);
-- The proactive refresher walks credentials by expiry / next attempt (only those it can refresh).
CREATE INDEX IF NOT EXISTS mcp_credentials_token_expires_idx
    ON mcp_credentials (token_expires_at) WHERE refresh_token_enc IS NOT NULL;
CREATE INDEX IF NOT EXISTS mcp_credentials_next_refresh_idx
    ON mcp_credentials (next_refresh_at) WHERE next_refresh_at IS NOT NULL;

CREATE OR REPLACE TRIGGER mcp_credentials_touch
    BEFORE UPDATE ON mcp_credentials
    FOR EACH ROW EXECUTE FUNCTION ob_touch_updated_at();
