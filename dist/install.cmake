# dist/install.cmake - what `cmake --install` puts where (docs/install.md, Layout), honouring CMAKE_INSTALL_PREFIX
# and DESTDIR. Components (cmake --install <build> --component <c>):
#   broker   bin/oauth-service, <libdir>/oauth-broker/plugins/*.so, <datadir>/oauth-broker/migrations,
#            <sysconfdir>/oauth-broker/{broker.json,services.json}
#   mcp      bin/mcp-<service>, <sysconfdir>/oauth-broker/mcp/<service>.env
#   systemd  <OB_SYSTEMD_UNITDIR>/{oauth-broker.service,mcp-server@.service}, <OB_SYSUSERS_DIR>/oauth-broker.conf
#   sdk      <includedir>/oauth-broker/{provider_abi.h,provider_support.h}, <libdir>/liboauth-broker-plugin.a,
#            <libdir>/pkgconfig/oauth-broker-plugin.pc, <datadir>/oauth-broker/plugin.map
# The paths written into the installed configuration and units are the absolute ones of the configured prefix
# (GNUInstallDirs' FULL_ variables: prefix /usr puts the configuration in /etc): set CMAKE_INSTALL_PREFIX when
# configuring, not with `cmake --install --prefix`.
include(GNUInstallDirs)

set(OB_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING "systemd system units, relative to the prefix or absolute")
set(OB_SYSUSERS_DIR "lib/sysusers.d" CACHE STRING "sysusers.d snippets, relative to the prefix or absolute")
set(OB_INSTALL_BROKER_URL "http://127.0.0.1:3001" CACHE STRING "BROKER_URL of the installed MCP server units")

set(OB_ETC_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/oauth-broker)
set(OB_BIN_DIR ${CMAKE_INSTALL_FULL_BINDIR})
set(OB_PLUGIN_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/oauth-broker/plugins)
set(OB_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/oauth-broker)
set(OB_STATE_DIR /var/lib/oauth-broker) # systemd's StateDirectory=oauth-broker, whatever the prefix
set(OB_DOC_PATH ${CMAKE_INSTALL_FULL_DATADIR}/oauth-broker/install.md)
set(OB_BROKER_URL ${OB_INSTALL_BROKER_URL})
set(gen ${CMAKE_BINARY_DIR}/dist)

# ---- broker ----
install(TARGETS oauth-service RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT broker)
foreach(p IN LISTS OB_PROVIDER_PLUGINS)
    install(TARGETS provider_${p} LIBRARY DESTINATION ${OB_PLUGIN_INSTALL_DIR} COMPONENT broker)
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/db/migrations/ DESTINATION ${OB_SHARE_DIR}/migrations COMPONENT broker
    FILES_MATCHING PATTERN "*.sql")
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md DESTINATION ${OB_SHARE_DIR} COMPONENT broker)

# The installed broker.json is config/broker.json, formatting kept, with every path pointing at the installed places
# and the keys in the state directory; the provider defaults stay as they are in the source tree. Each replacement is
# checked on the result: configuration fails when config/broker.json changed shape.
file(READ ${PROJECT_SOURCE_DIR}/config/broker.json broker_json)
set(ob_installed_comment "Installed broker configuration (docs/install.md). Relative paths are relative to this file's directory. Environment overrides (under systemd also from broker.env next to this file): DATABASE_URL, OAUTH_SERVICE_HOST, OAUTH_SERVICE_PORT, OAUTH_BASE_URL, OB_PLUGIN_DIR, OB_MIGRATIONS_DIR, OB_SERVICES_FILE, LOG_LEVEL.")
set(ob_keys "{ \"data_key_file\": \"${OB_STATE_DIR}/keys/data.keys\", \"admin_key_file\": \"${OB_STATE_DIR}/keys/admin.key\", \"services_dir\": \"${OB_STATE_DIR}/keys/services\" }")
string(REGEX REPLACE "\"\\$comment\": \"[^\n]*\",\n" "\"$comment\": \"${ob_installed_comment}\",\n" broker_json "${broker_json}")
string(REGEX REPLACE "\"url\": null" "\"url\": \"postgresql:///oauth_broker\"" broker_json "${broker_json}")
string(REGEX REPLACE "\"plugin_dir\": [^,\n]*" "\"plugin_dir\": \"${CMAKE_INSTALL_FULL_LIBDIR}/oauth-broker/plugins\"" broker_json "${broker_json}")
string(REGEX REPLACE "\"migrations_dir\": [^,\n]*" "\"migrations_dir\": \"${CMAKE_INSTALL_FULL_DATADIR}/oauth-broker/migrations\"" broker_json "${broker_json}")
string(REGEX REPLACE "(\n *)\"services_file\": [^,\n]*," "\\1\"services_file\": \"services.json\",\\1\"keys\": ${ob_keys}," broker_json "${broker_json}")
foreach(check "comment;$comment;${ob_installed_comment}" "url;database;url;postgresql:///oauth_broker"
        "plugin_dir;plugin_dir;${CMAKE_INSTALL_FULL_LIBDIR}/oauth-broker/plugins"
        "migrations_dir;migrations_dir;${CMAKE_INSTALL_FULL_DATADIR}/oauth-broker/migrations"
        "services_file;services_file;services.json" "keys;keys;services_dir;${OB_STATE_DIR}/keys/services")
    list(POP_FRONT check what)
    list(POP_BACK check want)
    string(JSON got ERROR_VARIABLE jerr GET "${broker_json}" ${check})
    if(NOT got STREQUAL want)
        message(FATAL_ERROR "dist/install.cmake: the installed broker.json lacks its ${what} (${jerr}); "
                            "config/broker.json changed shape: update the replacements")
    endif()
endforeach()
file(GENERATE OUTPUT ${gen}/broker.json CONTENT "${broker_json}\n")
install(FILES ${gen}/broker.json ${PROJECT_SOURCE_DIR}/config/services.json DESTINATION ${OB_ETC_DIR}
    COMPONENT broker)

# ---- mcp: every built server, and its environment file with its port from services.json ----
file(READ ${PROJECT_SOURCE_DIR}/config/services.json services_json)
string(JSON n_services LENGTH "${services_json}")
math(EXPR last "${n_services} - 1")
foreach(i RANGE ${last})
    string(JSON svc GET "${services_json}" ${i} service_name)
    string(JSON port GET "${services_json}" ${i} port)
    if(NOT TARGET mcp-${svc})
        continue()
    endif()
    install(TARGETS mcp-${svc} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT mcp)
    file(GENERATE OUTPUT ${gen}/mcp/${svc}.env CONTENT
"# Environment of mcp-server@${svc}.service (docs/install.md). The port is the one of services.json: the broker
# builds the service's MCP URLs and pushes from it.
MCP_PORT=${port}
#BROKER_URL=${OB_INSTALL_BROKER_URL}
#MCP_PUBLIC_URL=https://mcp.example.com/${svc}
#LOG_LEVEL=info
")
    install(FILES ${gen}/mcp/${svc}.env DESTINATION ${OB_ETC_DIR}/mcp COMPONENT mcp)
endforeach()

# ---- systemd ----
configure_file(${CMAKE_CURRENT_LIST_DIR}/systemd/oauth-broker.service.in ${gen}/oauth-broker.service @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/systemd/mcp-server@.service.in ${gen}/mcp-server@.service @ONLY)
install(FILES ${gen}/oauth-broker.service ${gen}/mcp-server@.service DESTINATION ${OB_SYSTEMD_UNITDIR}
    COMPONENT systemd)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/oauth-broker.sysusers DESTINATION ${OB_SYSUSERS_DIR}
    RENAME oauth-broker.conf COMPONENT systemd)

# ---- sdk: what an out-of-tree plugin compiles and links against ----
# liboauth-broker-plugin.a is provider_support with the pure helpers of common it uses (URL/form, crypto, JSON, JOSE),
# PIC and with hidden visibility, so that a plugin linked with it exports only its own oauth_provider_plugin.
file(GLOB OB_SDK_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/providers/support/*.c)
foreach(f url crypto base64 json_util jose_jwk jose_jws jose_jwt)
    list(APPEND OB_SDK_SOURCES ${PROJECT_SOURCE_DIR}/common/src/${f}.c)
endforeach()
add_library(oauth_broker_plugin_sdk STATIC ${OB_SDK_SOURCES})
set_target_properties(oauth_broker_plugin_sdk PROPERTIES OUTPUT_NAME oauth-broker-plugin
    POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)
target_include_directories(oauth_broker_plugin_sdk PRIVATE ${PROJECT_SOURCE_DIR}/common/include
    ${PROJECT_SOURCE_DIR}/common/src ${PROJECT_SOURCE_DIR}/providers/include ${PROJECT_SOURCE_DIR}/providers/support)
target_link_libraries(oauth_broker_plugin_sdk PRIVATE PkgConfig::JANSSON PkgConfig::CURL OpenSSL::Crypto)
install(TARGETS oauth_broker_plugin_sdk ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk)
install(FILES ${PROJECT_SOURCE_DIR}/providers/include/provider_abi.h
    ${PROJECT_SOURCE_DIR}/providers/support/provider_support.h
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/oauth-broker COMPONENT sdk)
install(FILES ${PROJECT_SOURCE_DIR}/providers/plugin.map DESTINATION ${OB_SHARE_DIR} COMPONENT sdk)
set(OB_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
set(OB_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(OB_PC_PLUGINDIR "\${libdir}/oauth-broker/plugins")
set(OB_PC_PLUGIN_MAP "\${prefix}/${CMAKE_INSTALL_DATADIR}/oauth-broker/plugin.map")
configure_file(${CMAKE_CURRENT_LIST_DIR}/oauth-broker-plugin.pc.in ${gen}/oauth-broker-plugin.pc @ONLY)
install(FILES ${gen}/oauth-broker-plugin.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)
