# service.cmake - the shape every MCP service folder shares (docs/adding-a-service.md).
#
#   mcp_service(<name> [LIBS <lib>...])   in mcp-servers/<name>/CMakeLists.txt
#
# builds mcp-servers/<name>/*.c (main.c server setup, tools.c the tool table, api.c the upstream calls, and any
# per-concern files) into $BUILD/mcp-servers/<name>/mcp-<name>, linked with the runtime. schemas/*.json
# (<tool>.input.json, <tool>.output.json) go through mcp-schema-embed first: invalid JSON, or a schema the
# runtime's schema compiler refuses, fails the build; valid ones become const strings (schema_<tool>_input,
# schema_<tool>_output) declared in the generated "schemas.h".

# The build-time checker and embedder of schemas (a host tool built with the project, on the runtime's schema API).
# It registers schemas through the runtime's private tool registry, exactly as a server does at startup.
add_executable(mcp-schema-embed ${CMAKE_CURRENT_LIST_DIR}/schema_embed.c)
target_include_directories(mcp-schema-embed PRIVATE ${MCP_RUNTIME_PRIVATE_INCLUDE})
target_link_libraries(mcp-schema-embed PRIVATE mcp_runtime)

function(mcp_service name)
    cmake_parse_arguments(svc "" "" "LIBS" ${ARGN})
    set(dir ${CMAKE_CURRENT_SOURCE_DIR})
    set(gen ${CMAKE_CURRENT_BINARY_DIR}/generated)
    file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.c)
    file(GLOB schemas CONFIGURE_DEPENDS ${dir}/schemas/*.json)
    list(SORT sources)
    list(SORT schemas)
    foreach(required main.c tools.c api.c)
        if(NOT EXISTS ${dir}/${required})
            message(FATAL_ERROR "mcp-servers/${name}: a service folder has main.c, tools.c and api.c (missing ${required})")
        endif()
    endforeach()
    file(MAKE_DIRECTORY ${gen})
    add_custom_command(OUTPUT ${gen}/schemas.c ${gen}/schemas.h
        COMMAND mcp-schema-embed ${gen}/schemas.c ${gen}/schemas.h ${schemas}
        DEPENDS mcp-schema-embed ${schemas}
        COMMENT "mcp-${name}: checking and embedding schemas/*.json"
        VERBATIM)
    add_executable(mcp-${name} ${sources} ${gen}/schemas.c)
    target_include_directories(mcp-${name} PRIVATE ${dir} ${gen})
    target_link_libraries(mcp-${name} PRIVATE mcp_runtime ${svc_LIBS})
    set_target_properties(mcp-${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/mcp-servers/${name})
endfunction()
