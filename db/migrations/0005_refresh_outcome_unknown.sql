-- 0005_refresh_outcome_unknown.sql - a refresh whose outcome the broker does not know.
--
-- Set when a refresh request reached the provider but its result was not stored: the provider answered and
-- the write or its COMMIT failed (after one retry of the write on a fresh connection), or the call timed out
-- after the request was sent. Under refresh-token rotation the stored refresh token may then be spent, so
-- the next attempt re-reads the row under the lock first (a newer row_version = another writer stored a
-- result: nothing to do), and an invalid_grant answer to that attempt is recorded as the lost outcome it is
-- (audit detail "after_unknown_outcome"). Cleared by every successful store of tokens.
ALTER TABLE mcp_credentials ADD COLUMN IF NOT EXISTS refresh_outcome_unknown_at timestamptz;
