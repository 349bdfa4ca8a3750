-- 0001_init.sql - the service registry (mcp_table) and the shared updated_at trigger function.
--
-- Rules for every migration file (see oauth-service/src/db/migrate.h):
--   * applied once, in its own transaction, by the migration runner; never edit an applied file,
--     add a new numbered file instead (the runner refuses to start when a checksum changed);
--   * no BEGIN/COMMIT inside the file; written idempotently where practical (IF NOT EXISTS).

-- Keeps updated_at fresh on every UPDATE of a row whose table uses it.
CREATE OR REPLACE FUNCTION ob_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- One row per MCP service the broker knows. Seeded (upserted by service_name) from
-- config/services.json at every start; the seed never touches the instance counters.
CREATE TABLE IF NOT EXISTS mcp_table (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_name     text        NOT NULL,
    display_name     text        NOT NULL,
    description      text,
    icon_path        text,
    port             integer     NOT NULL,
    type             text        NOT NULL DEFAULT 'oauth',
    provider_name    text,
    default_scopes   text,
    active           boolean     NOT NULL DEFAULT true,
    -- maintained by the trigger on mcp_service_table (0002): rows that exist / rows with status 'active'
    total_instances  integer     NOT NULL DEFAULT 0,
    active_instances integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT mcp_table_service_name_key UNIQUE (service_name),
    -- deferrable so that one seed transaction may swap the ports of two services
    CONSTRAINT mcp_table_port_key UNIQUE (port) DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT mcp_table_service_name_check CHECK (service_name ~ '^[a-z0-9_-]{1,64}$'),
    CONSTRAINT mcp_table_display_name_check CHECK (length(display_name) BETWEEN 1 AND 128),
    CONSTRAINT mcp_table_port_check CHECK (port BETWEEN 49000 AND 50000),
    CONSTRAINT mcp_table_type_check CHECK (type IN ('oauth', 'api_key')),
    CONSTRAINT mcp_table_provider_check CHECK (provider_name IS NULL OR provider_name ~ '^[a-z0-9_-]{1,64}$'),
    CONSTRAINT mcp_table_oauth_provider_check CHECK (type <> 'oauth' OR provider_name IS NOT NULL),
    CONSTRAINT mcp_table_counters_check
        CHECK (total_instances >= 0 AND active_instances >= 0 AND active_instances <= total_instances)
);

-- Only the descriptive columns count as an update of the registry entry (not the counters).
CREATE OR REPLACE TRIGGER mcp_table_touch
    BEFORE UPDATE OF service_name, display_name, description, icon_path, port, type, provider_name,
                     default_scopes, active
    ON mcp_table
    FOR EACH ROW EXECUTE FUNCTION ob_touch_updated_at();
