# providers/: provider_support unit tests, and every plugin through its real .so driven by a
# scripted fake host (tests/providers/fake_host.c).
set(PROVIDER_TEST_INCLUDES ${PROJECT_SOURCE_DIR}/providers/include ${CMAKE_CURRENT_SOURCE_DIR}/providers)
set(PROVIDER_TEST_ENV "OB_EXAMPLE_PLUGIN_DIR=${OB_EXAMPLE_PLUGIN_DIR}")

ob_unit_test(test_provider_support SOURCES providers/test_support.c providers/fake_host.c
    LIBS provider_support ${CMAKE_DL_LIBS} INCLUDES ${PROVIDER_TEST_INCLUDES})
add_dependencies(test_provider_support provider_example)
set_property(TEST test_provider_support APPEND PROPERTY ENVIRONMENT ${PROVIDER_TEST_ENV})

ob_unit_test(test_provider_spec SOURCES providers/test_spec.c providers/fake_host.c
    LIBS provider_support ${CMAKE_DL_LIBS} INCLUDES ${PROVIDER_TEST_INCLUDES})

foreach(p google microsoft github slack custom)
    ob_unit_test(test_provider_${p} SOURCES providers/test_${p}.c providers/fake_host.c
        LIBS PkgConfig::CURL PkgConfig::JANSSON ${CMAKE_DL_LIBS} INCLUDES ${PROVIDER_TEST_INCLUDES})
    add_dependencies(test_provider_${p} provider_${p})
    set_property(TEST test_provider_${p} APPEND PROPERTY ENVIRONMENT ${PROVIDER_TEST_ENV})
endforeach()

# Provider ABI versioning through the real registry: a plugin built against a frozen copy of the ABI 1.1
# header (abi/abi_1_1), one against the frozen 1.2 header (abi/abi_1_2), and one claiming the next major, in a directory of their own.
set(OB_ABI_PLUGIN_DIR ${PROJECT_BINARY_DIR}/test-plugins/abi)
set(_abi_test_plugins)
foreach(p legacy11 legacy12 next_major)
    add_library(test_abi_plugin_${p} MODULE ${CMAKE_CURRENT_SOURCE_DIR}/providers/abi/${p}.c)
    set_target_properties(test_abi_plugin_${p} PROPERTIES PREFIX "" OUTPUT_NAME ${p}
        LIBRARY_OUTPUT_DIRECTORY ${OB_ABI_PLUGIN_DIR} C_VISIBILITY_PRESET hidden)
    list(APPEND _abi_test_plugins test_abi_plugin_${p})
endforeach()
target_include_directories(test_abi_plugin_legacy11 PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/providers/abi/abi_1_1)
target_include_directories(test_abi_plugin_legacy12 PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/providers/abi/abi_1_2)
target_include_directories(test_abi_plugin_next_major PRIVATE ${PROJECT_SOURCE_DIR}/providers/include)
ob_unit_test(test_provider_abi_compat SOURCES providers/abi/test_abi_compat.c LIBS broker_core)
add_dependencies(test_provider_abi_compat ${_abi_test_plugins} provider_example)
set_property(TEST test_provider_abi_compat APPEND PROPERTY ENVIRONMENT
    "OB_ABI_PLUGIN_DIR=${OB_ABI_PLUGIN_DIR}" "OB_EXAMPLE_PLUGIN_DIR=${OB_EXAMPLE_PLUGIN_DIR}")

# op_provider_t.identify (ABI 1.3) of the real plugins: ID tokens signed with common/jose, user-info answers
ob_unit_test(test_provider_identity SOURCES providers/test_identity.c providers/fake_host.c
    LIBS common PkgConfig::CURL PkgConfig::JANSSON ${CMAKE_DL_LIBS} INCLUDES ${PROVIDER_TEST_INCLUDES})
add_dependencies(test_provider_identity provider_google provider_microsoft provider_github provider_slack)
add_dependencies(test_provider_identity provider_custom)
