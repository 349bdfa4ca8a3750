-- 0006_event_version.sql - a per-instance version of what the MCP servers are told, and request-class failures.
--
-- event_version increases (event_version + 1, in the same statement as the change, so the row lock orders it
-- across replicas) with every change of the instance's token or status committed by the broker: callback,
-- refresh, import, revoke, status change, needs_reauth, lazy expiry. Every push event carries it as "version",
-- and so do the vend answer and the /mcp-auth answer (docs/mcp-broker-protocol.md): an MCP server drops an
-- event whose version is lower than the highest it has seen for that instance (out-of-order delivery).
ALTER TABLE mcp_service_table ADD COLUMN IF NOT EXISTS event_version bigint NOT NULL DEFAULT 0;

-- Consecutive refresh failures of the request class (invalid_request, invalid_scope, a bare HTTP 400): after
-- refresh.request_error_limit of them in a row the instance needs re-authorization. Reset by every stored token
-- set and by any other failure class.
ALTER TABLE mcp_credentials ADD COLUMN IF NOT EXISTS request_failures integer NOT NULL DEFAULT 0;
