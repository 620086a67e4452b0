#pragma once
// Assertions that guard invariants. CAIRN_CHECK stays on in every build type:
// a broken invariant in a protocol core must stop the process, never let it
// continue with corrupt state. CAIRN_DCHECK is for checks too costly for
// release builds (debug and sanitizer builds only).
//
// Use two checks rather than one with &&, so a failure says which broke.

namespace cairn::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, const char* message);
}  // namespace cairn::internal

#define CAIRN_CHECK(cond, ...)                                                           \
  do {                                                                                   \
    if (__builtin_expect(!(cond), 0))                                                    \
      ::cairn::internal::CheckFailed(__FILE__, __LINE__, #cond, "" __VA_ARGS__);         \
  } while (0)

#ifdef NDEBUG
#define CAIRN_DCHECK(cond, ...) \
  do {                          \
  } while (0 && (cond))
#else
#define CAIRN_DCHECK(cond, ...) CAIRN_CHECK(cond, __VA_ARGS__)
#endif
