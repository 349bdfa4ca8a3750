# The checks of docs/conventions.md as tests: each takes a few seconds at most and needs only what
# scripts/install-deps.sh installs (bash, awk, perl, clang-format).
#   layering_check   every #include obeys LAYERS (scripts/layering.sh)
#   format_check     every tracked .c/.h is as .clang-format wants it (scripts/format.sh)
#   lint_banned_functions   no banned function (scripts/lint.sh)
# and each checker fails on what it exists to catch (tests/checks/checkers.sh, on fixtures and scratch files), the
# test registry's own checks (tests/support/registry.cmake) included.
add_test(NAME layering_check COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/layering.sh)
add_test(NAME format_check COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/format.sh)
add_test(NAME lint_banned_functions COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/lint.sh)
foreach(c layering format lint registry)
    add_test(NAME checker_${c}_catches COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/checks/checkers.sh ${c})
endforeach()
set_tests_properties(layering_check format_check lint_banned_functions
    checker_layering_catches checker_format_catches checker_lint_catches checker_registry_catches PROPERTIES TIMEOUT 120)
