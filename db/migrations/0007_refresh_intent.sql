-- 0007_refresh_intent.sql - the refresh intent marker (a write-ahead record of a refresh in flight).
--
-- Set, and committed in its own short transaction, by the broker process that holds the refresh lock just
-- before it sends the stored refresh token to the provider; cleared in the transaction that stores the
-- provider's answer (or records any other outcome that proves the token was not spent). It outlives the
-- advisory lock: when that process's connection dies (COMMIT failed, pg_terminate_backend) or the process
-- itself dies, the lock is released but the marker stays, so another replica that takes the lock does not send
-- the same, possibly already spent, refresh token again. A marker older than refresh.intent_hold_s is an
-- outcome unknown (audited as refresh_outcome_unknown); the refresh then proceeds.
--   refresh_started_at: when the marker was set (the database clock)
--   refresh_owner:      the broker process that set it (hostname:pid:random, generated at broker start)
ALTER TABLE mcp_credentials ADD COLUMN IF NOT EXISTS refresh_started_at timestamptz,
                            ADD COLUMN IF NOT EXISTS refresh_owner text;
