# providers/plugins.cmake - the shared support library and every provider plugin.
# Included by providers/CMakeLists.txt (which defines ob_provider()).

# provider_support: the logic every plugin shares (token requests, response parsing, error
# classes, authorize URLs). Static and PIC: it is linked into each plugin .so, and pulls only the
# pure helpers of common (url, crypto, json_util) into it.
file(GLOB PROVIDER_SUPPORT_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/support/*.c)
add_library(provider_support STATIC ${PROVIDER_SUPPORT_SOURCES})
set_target_properties(provider_support PROPERTIES POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)
target_include_directories(provider_support PUBLIC
    ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_link_libraries(provider_support PUBLIC common PkgConfig::JANSSON PkgConfig::CURL OpenSSL::Crypto)

# Each plugin exports exactly oauth_provider_plugin (plugin.map also hides the statically linked
# helpers of common and provider_support); libraries it does not use are not recorded as needed.
set(OB_PLUGIN_MAP ${CMAKE_CURRENT_SOURCE_DIR}/plugin.map)
function(ob_plugin_link name)
    target_link_options(provider_${name} PRIVATE -Wl,--version-script=${OB_PLUGIN_MAP} -Wl,--as-needed)
    if(NOT SANITIZE)
        target_link_options(provider_${name} PRIVATE -Wl,--no-undefined)
    endif()
    set_property(TARGET provider_${name} APPEND PROPERTY LINK_DEPENDS ${OB_PLUGIN_MAP})
endfunction()

set(OB_PROVIDER_PLUGINS google microsoft github slack custom)
set(OB_PROVIDER_PLUGINS ${OB_PROVIDER_PLUGINS} PARENT_SCOPE) # installed by dist/install.cmake
foreach(p IN LISTS OB_PROVIDER_PLUGINS)
    file(GLOB _plugin_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${p}/*.c)
    ob_provider(${p} SOURCES ${_plugin_sources})
    ob_plugin_link(${p})
endforeach()

# The example plugin (README: "adding a provider") is built next to, not into, the plugin
# directory: copying example.so into plugin_dir is the demonstration. Tests load it from here.
set(OB_EXAMPLE_PLUGIN_DIR ${CMAKE_BINARY_DIR}/plugins-example)
set(OB_EXAMPLE_PLUGIN_DIR ${OB_EXAMPLE_PLUGIN_DIR} PARENT_SCOPE)
ob_provider(example SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/example/example.c)
ob_plugin_link(example)
set_target_properties(provider_example PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${OB_EXAMPLE_PLUGIN_DIR})

# All plugins at once: cmake --build <dir> --target provider_plugins
add_custom_target(provider_plugins)
foreach(p IN LISTS OB_PROVIDER_PLUGINS ITEMS example)
    add_dependencies(provider_plugins provider_${p})
endforeach()
