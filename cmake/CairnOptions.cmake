# Compiler flags shared by every Cairn target. Warnings are errors; third-party
# headers come in through imported targets and are therefore SYSTEM includes.
add_library(cairn_options INTERFACE)
target_compile_options(cairn_options INTERFACE
  -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Wno-missing-field-initializers)

# Precompiled headers (cmake/CairnPch.cmake): GCC only; clang builds (the fuzz
# preset) compile without them.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  option(CAIRN_PCH "Precompiled headers for the standard library, Asio and gtest" ON)
else()
  set(CAIRN_PCH OFF)
endif()
if(NOT CAIRN_PCH)
  # Boost 1.74's awaitable.hpp uses std::exchange without <utility>. With
  # CAIRN_PCH every precompiled header starts with <utility> instead: a forced
  # include ahead of the PCH would make GCC ignore the PCH.
  target_compile_options(cairn_options INTERFACE -include utility)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(cairn_options INTERFACE -Wthread-safety)
endif()
target_include_directories(cairn_options INTERFACE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})

if(CAIRN_SANITIZE)
  string(REPLACE ";" "," _san "${CAIRN_SANITIZE}")
  target_compile_options(cairn_options INTERFACE -fsanitize=${_san} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(cairn_options INTERFACE -fsanitize=${_san})
  # GCC warns that TSan does not model std::atomic_thread_fence, which Asio's
  # handler invocation uses; the fences there only pair with the scheduler's
  # mutex, which TSan does see, so the warning is noise for us.
  if("thread" IN_LIST CAIRN_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(cairn_options INTERFACE -Wno-tsan)
  endif()
endif()
