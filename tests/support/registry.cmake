# tests/support/registry.cmake - ob_test_registry(AREA...): the explicit test registry of tests/CMakeLists.txt.
#
# Includes tests/<AREA>/tests.cmake of every AREA, unconditionally (a missing list fails configuration), and fails
# configuration, naming the file, when
#   - a tests/*/tests.cmake exists whose area is not named (its tests would never run);
#   - a test_*.c below a named area is no source of a target registered in this directory;
#   - a tests/integration/*.sh (but lib.sh) or tests/interop/run-*.sh is named by no list.
# A macro, not a function: the lists run in the scope of tests/CMakeLists.txt, as if included there.
# tests/checks/checkers.sh (registry) configures small trees that break each rule.
macro(ob_test_registry)
    set(_ob_areas ${ARGN})
    file(GLOB _ob_found_lists RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*/tests.cmake)
    foreach(_ob_list IN LISTS _ob_found_lists)
        get_filename_component(_ob_area ${_ob_list} DIRECTORY)
        if(NOT _ob_area IN_LIST _ob_areas)
            message(FATAL_ERROR "tests/${_ob_list} is not named by ob_test_registry() in tests/CMakeLists.txt: "
                                "its tests would never run")
        endif()
    endforeach()
    foreach(_ob_area IN LISTS _ob_areas)
        include(${CMAKE_CURRENT_SOURCE_DIR}/${_ob_area}/tests.cmake)
    endforeach()

    get_property(_ob_targets DIRECTORY PROPERTY BUILDSYSTEM_TARGETS)
    set(_ob_built)
    foreach(_ob_t IN LISTS _ob_targets)
        get_target_property(_ob_srcs ${_ob_t} SOURCES)
        foreach(_ob_s IN LISTS _ob_srcs)
            get_filename_component(_ob_s ${_ob_s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
            list(APPEND _ob_built ${_ob_s})
        endforeach()
    endforeach()
    set(_ob_list_text)
    foreach(_ob_area IN LISTS _ob_areas)
        file(GLOB_RECURSE _ob_srcs RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/${_ob_area}/test_*.c)
        foreach(_ob_s IN LISTS _ob_srcs)
            if(NOT ${CMAKE_CURRENT_SOURCE_DIR}/${_ob_s} IN_LIST _ob_built)
                message(FATAL_ERROR "tests/${_ob_s} is no source of a test registered in tests/*/tests.cmake: "
                                    "it would never run")
            endif()
        endforeach()
        file(READ ${CMAKE_CURRENT_SOURCE_DIR}/${_ob_area}/tests.cmake _ob_text)
        string(APPEND _ob_list_text "${_ob_text}")
    endforeach()
    file(GLOB _ob_scripts RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}
         ${CMAKE_CURRENT_SOURCE_DIR}/integration/*.sh ${CMAKE_CURRENT_SOURCE_DIR}/interop/run-*.sh)
    foreach(_ob_s IN LISTS _ob_scripts)
        string(FIND "${_ob_list_text}" " ${_ob_s}" _ob_at)
        if(_ob_at EQUAL -1 AND NOT _ob_s STREQUAL "integration/lib.sh")
            message(FATAL_ERROR "tests/${_ob_s} is not registered in tests/*/tests.cmake: it would never run")
        endif()
    endforeach()
endmacro()
