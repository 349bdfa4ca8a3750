# Integration tests: real broker + real PostgreSQL (DATABASE_URL from scripts/test.sh) + fakes of outside
# providers (tests/fakes, node) on free loopback ports. Each script creates and drops its own database.
ob_script_test(integration_admin_api integration/admin_api.sh)
ob_script_test(integration_flows_google integration/flows_google.sh)
ob_script_test(integration_flows_oidc integration/flows_oidc.sh)
ob_script_test(integration_broker_foundation integration/broker_foundation.sh)
ob_script_test(integration_refresh_flows integration/refresh_flows.sh)
ob_script_test(integration_mcp_e2e integration/mcp_e2e.sh)
ob_script_test(integration_refresh_oidc integration/refresh_oidc.sh)
ob_script_test(integration_refresh_replicas integration/refresh_replicas.sh)
ob_script_test(integration_refresh_outage integration/refresh_outage.sh)
ob_script_test(integration_vend_db_outage integration/vend_db_outage.sh)
ob_script_test(integration_mcp_provider_outage integration/mcp_provider_outage.sh)
ob_script_test(integration_mcp_authorization integration/mcp_authorization.sh)
