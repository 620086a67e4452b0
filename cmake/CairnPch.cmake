# Precompiled headers (GCC only): most of a test file's compile time is spent
# parsing gtest, gmock and rapidcheck, and most of a server file's parsing
# Asio, Beast and nlohmann/json. Each kind of header set is compiled once per
# build tree, in a donor target, and reused by every target of that kind
# (target_precompile_headers REUSE_FROM).
#
#   cairn_pch(<target> std|asio|test)
#
# Kinds:
#   std   the standard library headers we use everywhere;
#   asio  std + Boost.Asio, Beast's HTTP and nlohmann/json; for targets that
#         link Boost::system (the PCH records Boost's defines, and GCC refuses
#         it, loudly, under -Winvalid-pch -Werror, for a target without them);
#   test  std + gtest, gmock and rapidcheck.
#
# With CAIRN_PCH=ON every header set starts with <utility>: Boost 1.74's
# awaitable.hpp uses std::exchange without including it, which cairn_options
# otherwise works around with `-include utility` (a forced include before the
# PCH would make GCC ignore the PCH). So with CAIRN_PCH=ON, a target that
# includes Asio must go through cairn_pch(); the cairn_* helpers do that.
#
# GCC 12 at -O2 then reports a false -Warray-bounds inside libstdc++ for
# `std::string(...) + "literal"` (the temporary's concatenation); without a PCH
# it is hidden as a system-header warning. Append in place instead.
#
# The PCH is force-included, so a file that forgets an #include of a header in
# its set still compiles here; the clang fuzz build (no PCH) compiles the pure
# libraries without it.

set(_cairn_pch_std
  <utility> <algorithm> <array> <atomic> <chrono> <cstddef> <cstdint> <cstring> <deque>
  <functional> <map> <memory> <mutex> <optional> <set> <span> <string> <string_view>
  <unordered_map> <variant> <vector>)
set(_cairn_pch_asio ${_cairn_pch_std} <boost/asio.hpp> <boost/beast/http.hpp>
  <nlohmann/json.hpp>)
set(_cairn_pch_test ${_cairn_pch_std} <gtest/gtest.h> <gmock/gmock.h> <rapidcheck.h>
  <rapidcheck/gtest.h>)

# The donor of one kind: an object library with one empty source file.
function(_cairn_pch_donor kind)
  set(donor cairn_pch_${kind})
  if(TARGET ${donor})
    return()
  endif()
  set(src ${PROJECT_BINARY_DIR}/cairn_pch_donor.cc)
  if(NOT EXISTS ${src})
    file(WRITE ${src} "// Compiled only to produce the precompiled headers (cmake/CairnPch.cmake).\n")
  endif()
  add_library(${donor} OBJECT ${src})
  target_link_libraries(${donor} PRIVATE cairn_options)
  if(kind STREQUAL "asio")
    find_package(Boost 1.74 REQUIRED COMPONENTS system)
    find_package(nlohmann_json CONFIG REQUIRED)
    target_link_libraries(${donor} PRIVATE Boost::system nlohmann_json::nlohmann_json)
  elseif(kind STREQUAL "test")
    target_link_libraries(${donor} PRIVATE GTest::gtest GTest::gmock rapidcheck)
  endif()
  target_precompile_headers(${donor} PRIVATE ${_cairn_pch_${kind}})
endfunction()

function(cairn_pch target kind)
  if(NOT CAIRN_PCH)
    return()
  endif()
  if(NOT DEFINED _cairn_pch_${kind})
    message(FATAL_ERROR "cairn_pch(${target} ${kind}): kind must be std, asio or test")
  endif()
  _cairn_pch_donor(${kind})
  target_precompile_headers(${target} REUSE_FROM cairn_pch_${kind})
endfunction()
