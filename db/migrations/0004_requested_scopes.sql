-- 0004_requested_scopes.sql - the scopes an instance asks for at authorization.
--
-- mcp_credentials.scope holds what the provider granted (from the token response); the scopes to
-- request at /oauth/authorize are the instance's own choice (POST /instances {scopes}), NULL meaning
-- the service's default_scopes from the registry.
ALTER TABLE mcp_credentials ADD COLUMN IF NOT EXISTS requested_scopes text;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'mcp_credentials_requested_scopes_check') THEN
        ALTER TABLE mcp_credentials ADD CONSTRAINT mcp_credentials_requested_scopes_check
            CHECK (requested_scopes IS NULL OR length(requested_scopes) BETWEEN 1 AND 2048);
    END IF;
END;
$$;
