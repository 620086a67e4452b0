#pragma once
// Backoff: how long to wait before retry number n (n = 1 for the first retry).
//
//   kNone          min(max, initial * multiplier^(n-1))
//   kFull          uniform in [0, that)               (AWS "full jitter")
//   kEqual         that/2 + uniform in [0, that/2)    ("equal jitter")
//   kDecorrelated  min(max, uniform in [initial, previous * 3])
//
// Jitter spreads retries of many clients so they do not arrive in lock step.
//
// Thread-safety: a Backoff config is a value; Next() uses the caller's Random
// and the caller's previous delay, so it holds no state of its own.

#include <cstdint>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"

namespace cairn::resilience {

enum class Jitter : std::uint8_t { kNone, kFull, kEqual, kDecorrelated };

struct Backoff {
  Nanos initial = std::chrono::milliseconds(50);
  Nanos max = std::chrono::seconds(5);
  double multiplier = 2.0;
  Jitter jitter = Jitter::kFull;

  Status Validate() const;
  // The delay before retry `retry` (>= 1); `previous` is the last delay given
  // (used by kDecorrelated; pass Nanos(0) for the first retry).
  Nanos Next(std::uint32_t retry, Nanos previous, Random& random) const;
};

}  // namespace cairn::resilience
