# mcp-servers/: the C MCP runtime (unit tests) and the interop/conformance runs (tests/interop).
ob_unit_test(test_mcp_jsonrpc SOURCES mcp-servers/runtime/test_jsonrpc.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_schema SOURCES mcp-servers/runtime/test_schema.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_tools SOURCES mcp-servers/runtime/test_tools.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_session SOURCES mcp-servers/runtime/test_session.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_push SOURCES mcp-servers/runtime/test_push.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_input SOURCES mcp-servers/runtime/test_input.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_dispatch SOURCES mcp-servers/runtime/test_dispatch.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_caches SOURCES mcp-servers/runtime/test_caches.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_broker_caches SOURCES mcp-servers/runtime/test_broker_caches.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_task_store SOURCES mcp-servers/runtime/test_task_store.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_task_dispatch SOURCES mcp-servers/runtime/test_task_dispatch.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_versions SOURCES mcp-servers/runtime/test_versions.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})

# Interop (real servers on loopback, official npm clients pinned in tests/interop/package.json).
ob_script_test(interop_mcp_transport interop/run-transport.sh)
ob_script_test(interop_mcp_conformance interop/run-conformance.sh)
ob_script_test(interop_mcp_clients interop/run-clients.sh)
ob_script_test(interop_mcp_tasks interop/run-tasks.sh)
ob_script_test(interop_mcp_streams interop/run-streams.sh)
ob_script_test(interop_mcp_input interop/run-input.sh)

# outlook + github services: runtime helpers, the github error texts, interop against fake APIs.
ob_unit_test(test_mcp_http_headers SOURCES mcp-servers/runtime/test_http_headers.c LIBS mcp_runtime)
ob_unit_test(test_github_errors SOURCES mcp-servers/github/test_gh_errors.c ${PROJECT_SOURCE_DIR}/mcp-servers/github/api.c
             LIBS mcp_runtime INCLUDES ${PROJECT_SOURCE_DIR}/mcp-servers/github)
# services on the template (docs/adding-a-service.md): the schema build step, the scaffold in a copy of the tree
ob_script_test(mcp_schema_embed mcp-servers/schema_embed_test.sh)
ob_script_test(mcp_scaffold_new_service mcp-servers/scaffold_test.sh)
ob_script_test(interop_mcp_outlook interop/run-service.sh outlook GRAPH_API_BASE /v1.0)
ob_script_test(interop_mcp_github interop/run-service.sh github GITHUB_API_BASE)

# gmail service (mcp-servers/gmail) and the mail library (mcp-servers/mail: MIME, HTML-to-text) it uses.
ob_unit_test(test_mcp_mime SOURCES mcp-servers/mail/test_mime.c LIBS mcp_mail)
ob_unit_test(test_mcp_html_text SOURCES mcp-servers/mail/test_html_text.c LIBS mcp_mail)
ob_unit_test(test_gmail_message SOURCES mcp-servers/gmail/test_gmail_message.c ${PROJECT_SOURCE_DIR}/mcp-servers/gmail/message.c
    LIBS mcp_runtime mcp_mail INCLUDES ${PROJECT_SOURCE_DIR}/mcp-servers/gmail)
ob_script_test(interop_mcp_gmail interop/run-gmail.sh)
ob_script_test(interop_mcp_gmail_confirm interop/run-gmail-confirm.sh)
ob_unit_test(test_mcp_service_util SOURCES mcp-servers/runtime/test_service_util.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})

# prompts, resources (level-1 URI templates) and completions in the runtime, and their dispatch in both eras.
ob_unit_test(test_mcp_prompts SOURCES mcp-servers/runtime/test_prompts.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_resources SOURCES mcp-servers/runtime/test_resources.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_features_dispatch SOURCES mcp-servers/runtime/test_features_dispatch.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_unit_test(test_mcp_token_retry SOURCES mcp-servers/runtime/test_token_retry.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})

# MCP authorization in the runtime: access tokens verified locally (tokens/jwt.c), the JWKS cache (tokens/jwks.c).
ob_unit_test(test_mcp_access_tokens SOURCES mcp-servers/runtime/test_access_tokens.c LIBS mcp_runtime
             INCLUDES ${MCP_RUNTIME_PRIVATE_INCLUDE})
ob_script_test(interop_mcp_authorization interop/run-authorization.sh)
ob_script_test(interop_mcp_onedrive interop/run-service.sh onedrive GRAPH_API_BASE /v1.0)
ob_script_test(interop_mcp_googledocs interop/run-service.sh googledocs GOOGLEDOCS_API_BASE)
ob_unit_test(test_gdocs_render SOURCES mcp-servers/googledocs/test_gdocs_render.c ${PROJECT_SOURCE_DIR}/mcp-servers/googledocs/render.c
    LIBS mcp_runtime INCLUDES ${PROJECT_SOURCE_DIR}/mcp-servers/googledocs)
ob_script_test(interop_mcp_googlesheets interop/run-service.sh googlesheets GOOGLESHEETS_API_BASE)
ob_unit_test(test_googlesheets_a1 SOURCES mcp-servers/googlesheets/test_a1.c
             ${PROJECT_SOURCE_DIR}/mcp-servers/googlesheets/a1.c INCLUDES ${PROJECT_SOURCE_DIR}/mcp-servers/googlesheets)
ob_unit_test(test_googlecalendar_event SOURCES mcp-servers/googlecalendar/test_googlecalendar_event.c
    ${PROJECT_SOURCE_DIR}/mcp-servers/googlecalendar/check.c ${PROJECT_SOURCE_DIR}/mcp-servers/googlecalendar/event.c
    LIBS mcp_runtime INCLUDES ${PROJECT_SOURCE_DIR}/mcp-servers/googlecalendar)
ob_script_test(interop_mcp_googlecalendar interop/run-service.sh googlecalendar GOOGLECALENDAR_API_BASE)
ob_script_test(interop_mcp_slack interop/run-service.sh slack SLACK_API_BASE /api)
ob_script_test(interop_mcp_googledrive interop/run-service.sh googledrive GOOGLEDRIVE_API_BASE)
ob_script_test(interop_mcp_teams interop/run-service.sh teams GRAPH_API_BASE /v1.0)

# notion service (mcp-servers/notion): markdown <-> blocks, interop against fake-notion.mjs.
ob_unit_test(test_notion_md SOURCES mcp-servers/notion/test_notion_md.c ${PROJECT_SOURCE_DIR}/mcp-servers/notion/md_blocks.c
    ${PROJECT_SOURCE_DIR}/mcp-servers/notion/md_render.c INCLUDES ${PROJECT_SOURCE_DIR}/mcp-servers/notion)
ob_script_test(interop_mcp_notion interop/run-service.sh notion NOTION_API_BASE)
ob_script_test(interop_mcp_dropbox interop/run-service.sh dropbox DROPBOX_API_BASE /2)
