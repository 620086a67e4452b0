// libFuzzer target: the retry-after hint parser, which reads error messages
// that come from remote servers. It must never crash, and a hint it accepts
// must be a non-negative duration that survives a round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "resilience/retry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn;
  std::string message(reinterpret_cast<const char*>(data), size);
  Status s = Status::Unavailable(message);
  auto hint = resilience::RetryAfterFromMessage(s);
  if (hint) {
    if (hint->count() < 0) std::abort();
    auto again = resilience::RetryAfterFromMessage(resilience::WithRetryAfter(Status::Unavailable("x"), *hint));
    if (!again || *again != *hint) std::abort();
  }
  return 0;
}
