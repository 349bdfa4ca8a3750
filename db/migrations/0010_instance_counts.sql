-- 0010_instance_counts.sql - instance counts per service without a hot row.
--
-- Until now a trigger updated the service's row of mcp_table on every instance insert, delete and status change:
-- every create and import of one service serialized on that row (and bloated it with dead tuples). The counts are
-- now computed when read, from an index on (service_name, status) (an index-only scan of the service's range), by
-- the view mcp_service_counts; mcp_table keeps only the registry.
DROP TRIGGER IF EXISTS mcp_service_table_count ON mcp_service_table;
DROP FUNCTION IF EXISTS ob_count_instances();
ALTER TABLE mcp_table DROP CONSTRAINT IF EXISTS mcp_table_counters_check;
ALTER TABLE mcp_table DROP COLUMN IF EXISTS total_instances, DROP COLUMN IF EXISTS active_instances;

-- serves the counts and every lookup by service alone (its leading column), so the single-column index goes
CREATE INDEX IF NOT EXISTS mcp_service_table_service_status_idx ON mcp_service_table (service_name, status);
DROP INDEX IF EXISTS mcp_service_table_service_name_idx;

-- One row per registered service: instances that exist, and those with status 'active' (the stored status; an
-- instance past its expires_at counts as active until something marks it expired, as before).
CREATE OR REPLACE VIEW mcp_service_counts AS
SELECT t.service_name,
       (SELECT count(*) FROM mcp_service_table i WHERE i.service_name = t.service_name)::integer AS total_instances,
       (SELECT count(*) FROM mcp_service_table i
         WHERE i.service_name = t.service_name AND i.status = 'active')::integer AS active_instances
  FROM mcp_table t;
