# The open-loop load generator of the MCP benchmarks (bench/tools/openloop.c).
add_executable(bench_openloop ${CMAKE_CURRENT_LIST_DIR}/openloop.c)
target_link_libraries(bench_openloop PRIVATE PkgConfig::CURL)
