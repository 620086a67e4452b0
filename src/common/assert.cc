#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace cairn::internal {

void CheckFailed(const char* file, int line, const char* expr, const char* message) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s%s%s\n", file, line, expr,
               message[0] ? ": " : "", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace cairn::internal
