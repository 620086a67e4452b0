# Helpers that keep each folder's CMakeLists.txt short.
#
#   cairn_library(raft SOURCES a.cc b.cc DEPS cairn::common)  -> target cairn_raft, alias cairn::raft
#   cairn_test(raft_log_test SOURCES log_test.cc DEPS cairn::raft [LABELS slow])
#   cairn_bench(raft_bench SOURCES raft_bench.cc DEPS cairn::raft)
#   cairn_fuzz(resp_fuzz SOURCES resp_fuzz.cc DEPS cairn::resp)
#
# Libraries, tests and benchmarks take `PCH std|asio|test`, the precompiled
# header set they reuse (cmake/CairnPch.cmake); the defaults are std for
# libraries and benchmarks and test for tests. Targets whose files include
# Asio say `PCH asio`.
include(CairnPch)

function(cairn_library name)
  cmake_parse_arguments(ARG "" "PCH" "SOURCES;DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(cairn_${name} STATIC ${ARG_SOURCES})
    target_link_libraries(cairn_${name} PUBLIC cairn_options ${ARG_DEPS})
    if(NOT ARG_PCH)
      set(ARG_PCH std)
    endif()
    cairn_pch(cairn_${name} ${ARG_PCH})
  else()
    add_library(cairn_${name} INTERFACE)
    target_link_libraries(cairn_${name} INTERFACE cairn_options ${ARG_DEPS})
  endif()
  add_library(cairn::${name} ALIAS cairn_${name})
endfunction()

# Every gtest binary is registered test by test, discovered when ctest runs
# (not at build time, so sanitizer builds do not pay for it twice).
function(cairn_test name)
  if(NOT CAIRN_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT;PCH" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE cairn_options ${ARG_DEPS} GTest::gtest GTest::gtest_main
    GTest::gmock rapidcheck)
  if(NOT ARG_PCH)
    set(ARG_PCH test)
  endif()
  cairn_pch(${name} ${ARG_PCH})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set(props TIMEOUT ${ARG_TIMEOUT})
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  # The ThreadSanitizer job builds only these (target `concurrency_tests`).
  if("concurrency" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY CAIRN_CONCURRENCY_TESTS ${name})
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props})
endfunction()

function(cairn_bench name)
  if(NOT CAIRN_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "PCH" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE cairn_options ${ARG_DEPS} benchmark::benchmark)
  if(NOT ARG_PCH)
    set(ARG_PCH std)
  endif()
  cairn_pch(${name} ${ARG_PCH})
endfunction()

# libFuzzer targets need clang; with CAIRN_BUILD_FUZZ=OFF they are skipped.
function(cairn_fuzz name)
  if(NOT CAIRN_BUILD_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE cairn_options ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY CAIRN_FUZZ_TARGETS ${name})
endfunction()
