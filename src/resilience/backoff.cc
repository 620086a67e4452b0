#include "resilience/backoff.h"

#include <algorithm>
#include <cmath>

namespace cairn::resilience {

Status Backoff::Validate() const {
  if (initial.count() < 0) return Status::InvalidArgument("backoff: initial must be >= 0");
  if (max < initial) return Status::InvalidArgument("backoff: max must be >= initial");
  if (!(multiplier >= 1.0)) return Status::InvalidArgument("backoff: multiplier must be >= 1");
  return Status::Ok();
}

Nanos Backoff::Next(std::uint32_t retry, Nanos previous, Random& random) const {
  const double cap = static_cast<double>(max.count());
  const double base = static_cast<double>(initial.count());
  if (jitter == Jitter::kDecorrelated) {
    const double prev = std::max(base, static_cast<double>(previous.count()));
    const double hi = std::min(cap, prev * 3.0);
    if (hi <= base) return Nanos(static_cast<std::int64_t>(std::min(base, cap)));
    return Nanos(static_cast<std::int64_t>(base + random.NextDouble() * (hi - base)));
  }
  const double exp = std::min(cap, base * std::pow(multiplier, static_cast<double>(retry - 1)));
  switch (jitter) {
    case Jitter::kNone: return Nanos(static_cast<std::int64_t>(exp));
    case Jitter::kFull: return Nanos(static_cast<std::int64_t>(random.NextDouble() * exp));
    case Jitter::kEqual:
      return Nanos(static_cast<std::int64_t>(exp / 2 + random.NextDouble() * (exp / 2)));
    case Jitter::kDecorrelated: break;
  }
  return Nanos(static_cast<std::int64_t>(exp));
}

}  // namespace cairn::resilience
