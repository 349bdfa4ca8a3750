ob_unit_test(test_broker_config SOURCES oauth-service/test_config.c LIBS broker_core)
ob_unit_test(test_db_migrate SOURCES oauth-service/db/test_migrate.c LIBS broker_core NEEDS_DB)
ob_unit_test(test_db_change_notify SOURCES oauth-service/db/test_change_notify.c LIBS broker_core NEEDS_DB)
ob_unit_test(test_db_services SOURCES oauth-service/db/test_services.c LIBS broker_core)
ob_unit_test(test_keys SOURCES oauth-service/keys/test_keys.c LIBS broker_core)
ob_unit_test(test_store_cred_crypto SOURCES oauth-service/store/test_cred_crypto.c LIBS broker_core)
ob_unit_test(test_store_instance_status SOURCES oauth-service/store/test_instance_status.c LIBS broker_core)
ob_unit_test(test_store_change_feed SOURCES oauth-service/store/test_change_feed.c LIBS broker_core NEEDS_DB)
ob_unit_test(test_oauth_state SOURCES oauth-service/oauth/test_state.c LIBS broker_core)
ob_unit_test(test_oauth_id_token SOURCES oauth-service/oauth/test_id_token.c LIBS broker_core)
ob_unit_test(test_oauth_identity SOURCES oauth-service/oauth/test_identity.c LIBS broker_core)

# ---- providers/: the plugin loader and the host API ----
# Test-only plugins go to their own directory (never the real plugin dir), with a text file named
# bogus.so, a directory named 70_dir.so and a file that is not a .so at all. Numeric prefixes fix
# the load order (the valid plugin first, so the duplicate's name clashes with it).
set(OB_TEST_PLUGIN_DIR ${PROJECT_BINARY_DIR}/test-plugins/registry)
file(MAKE_DIRECTORY ${OB_TEST_PLUGIN_DIR}/70_dir.so)
file(WRITE ${OB_TEST_PLUGIN_DIR}/bogus.so "this is a text file, not a shared object\n")
file(WRITE ${OB_TEST_PLUGIN_DIR}/notes.txt "not a plugin\n")
set(_registry_test_plugins)
foreach(p 10_valid 20_abi99 30_nosym 40_initfail 50_dup 60_unconfigured)
    string(REGEX REPLACE "^[0-9]+_" "" src ${p})
    add_library(test_plugin_${src} MODULE ${CMAKE_CURRENT_SOURCE_DIR}/oauth-service/providers/plugins/${src}.c)
    set_target_properties(test_plugin_${src} PROPERTIES PREFIX "" OUTPUT_NAME ${p}
        LIBRARY_OUTPUT_DIRECTORY ${OB_TEST_PLUGIN_DIR} C_VISIBILITY_PRESET hidden)
    target_include_directories(test_plugin_${src} PRIVATE ${PROJECT_SOURCE_DIR}/providers/include)
    list(APPEND _registry_test_plugins test_plugin_${src})
endforeach()

ob_unit_test(test_provider_registry SOURCES oauth-service/providers/test_registry.c
    LIBS broker_core)
add_dependencies(test_provider_registry ${_registry_test_plugins} provider_plugins)
set_property(TEST test_provider_registry APPEND PROPERTY ENVIRONMENT
    "OB_TEST_PLUGIN_DIR=${OB_TEST_PLUGIN_DIR}" "OB_EXAMPLE_PLUGIN_DIR=${OB_EXAMPLE_PLUGIN_DIR}")

ob_unit_test(test_provider_host_api SOURCES oauth-service/providers/test_host_api.c
    LIBS broker_core)
ob_unit_test(test_broker_config_flows SOURCES oauth-service/test_config_flows.c LIBS broker_core)
ob_unit_test(test_instance_validate SOURCES oauth-service/handlers/test_instance_validate.c LIBS broker_core)
# ---- refresh schedule, backoff, push signing ----
ob_unit_test(test_refresh_units SOURCES oauth-service/refresh/test_refresh_units.c LIBS broker_core)
ob_unit_test(test_as_units SOURCES oauth-service/as/test_as_units.c LIBS broker_core)
# ---- as/: the authorization server of the MCP clients (front half: resources, redirects, CIMD) ----
ob_unit_test(test_as_resource_redirect SOURCES oauth-service/as/test_resource_redirect.c LIBS broker_core)
ob_unit_test(test_as_cimd SOURCES oauth-service/as/test_cimd.c LIBS broker_core)
ob_unit_test(test_as_authz_request SOURCES oauth-service/as/test_authz_request.c LIBS broker_core)
ob_unit_test(test_core_metrics_board SOURCES oauth-service/core/test_metrics_board.c LIBS broker_core)
