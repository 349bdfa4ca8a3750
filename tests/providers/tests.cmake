# providers/: provider_support unit tests, and every plugin through its real .so driven by a
# scripted fake host (tests/providers/fake_host.c).
set(PROVIDER_TEST_INCLUDES ${PROJECT_SOURCE_DIR}/providers/include ${CMAKE_CURRENT_SOURCE_DIR}/providers)
set(PROVIDER_TEST_ENV "OB_EXAMPLE_PLUGIN_DIR=${OB_EXAMPLE_PLUGIN_DIR}")

ob_unit_test(test_provider_support SOURCES providers/test_support.c providers/fake_host.c
    LIBS provider_support ${CMAKE_DL_LIBS} INCLUDES ${PROVIDER_TEST_INCLUDES})
add_dependencies(test_provider_support provider_example)
set_property(TEST test_provider_support APPEND PROPERTY ENVIRONMENT ${PROVIDER_TEST_ENV})

foreach(p google microsoft github slack custom)
    ob_unit_test(test_provider_${p} SOURCES providers/test_${p}.c providers/fake_host.c
        LIBS PkgConfig::CURL PkgConfig::JANSSON ${CMAKE_DL_LIBS} INCLUDES ${PROVIDER_TEST_INCLUDES})
    add_dependencies(test_provider_${p} provider_${p})
    set_property(TEST test_provider_${p} APPEND PROPERTY ENVIRONMENT ${PROVIDER_TEST_ENV})
endforeach()
