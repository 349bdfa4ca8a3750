# The bare libh2o baseline of bench/broker/run.sh.
add_executable(bench_bare_h2o ${CMAKE_CURRENT_LIST_DIR}/bare_h2o.c)
target_link_libraries(bench_bare_h2o PRIVATE PkgConfig::H2O OpenSSL::SSL OpenSSL::Crypto)
target_compile_definitions(bench_bare_h2o PRIVATE H2O_USE_LIBUV=0)
