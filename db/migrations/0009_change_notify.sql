-- 0009_change_notify.sql - every change of an instance or its credentials is announced to the broker replicas.
--
-- NOTIFY ob_instance_changed, payload '<instance_id> <event_version>', from a trigger in the transaction of the
-- change: sent only if it commits, whoever wrote the row (a replica, the CLI, a SQL session), so no change goes
-- unannounced. Each replica LISTENs on one dedicated connection and drops the instance from its cache at once
-- (oauth-service/src/store/change_feed.h). Identical payloads of one transaction are folded into one notification.
--
-- Columns that no cached copy holds are left out, so that bookkeeping writes do not empty every replica's cache:
-- usage counters of the instance, and the refresher's failure, backoff and intent markers of the credentials.
-- Columns added later notify unless they are added to these lists.
CREATE OR REPLACE FUNCTION ob_notify_instance_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    id uuid;
    v  bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - TG_ARGV) = (to_jsonb(NEW) - TG_ARGV) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        id := OLD.instance_id;
    ELSE
        id := NEW.instance_id;
    END IF;
    IF TG_TABLE_NAME = 'mcp_service_table' THEN
        -- a deleted instance gets the version its deletion event carries (event_version + 1)
        v := CASE WHEN TG_OP = 'DELETE' THEN OLD.event_version + 1 ELSE NEW.event_version END;
    ELSE
        SELECT s.event_version INTO v FROM mcp_service_table s WHERE s.instance_id = id;
        IF NOT FOUND THEN
            RETURN NULL; -- removed with its instance (cascade): the instance's deletion is the announcement
        END IF;
    END IF;
    PERFORM pg_notify('ob_instance_changed', id::text || ' ' || v::text);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER mcp_service_table_notify
    AFTER INSERT OR UPDATE OR DELETE ON mcp_service_table
    FOR EACH ROW EXECUTE FUNCTION ob_notify_instance_change('usage_count', 'last_used_at', 'updated_at');

CREATE OR REPLACE TRIGGER mcp_credentials_notify
    AFTER INSERT OR UPDATE OR DELETE ON mcp_credentials
    FOR EACH ROW EXECUTE FUNCTION ob_notify_instance_change('updated_at', 'refresh_failures', 'next_refresh_at',
                                                            'last_error_code', 'request_failures',
                                                            'refresh_outcome_unknown_at', 'refresh_started_at',
                                                            'refresh_owner');
