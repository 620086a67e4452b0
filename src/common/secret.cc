#include "common/secret.h"

namespace cairn {

bool SecretMatches(std::string_view given, std::string_view expected) {
  // Every byte of `given` is compared against some byte of `expected` (the
  // same position, or position 0 past its end), and differences are OR-ed
  // together, with no early exit.
  unsigned diff = given.size() == expected.size() ? 0u : 1u;
  const std::size_t n = expected.size();
  for (std::size_t i = 0; i < given.size(); ++i) {
    const unsigned char want = n == 0 ? 0 : static_cast<unsigned char>(expected[i < n ? i : 0]);
    diff |= static_cast<unsigned char>(given[i]) ^ want;
  }
  // The volatile read keeps the compiler from turning the loop into an
  // early-exit compare.
  volatile unsigned result = diff;
  return result == 0;
}

}  // namespace cairn
