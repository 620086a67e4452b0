#include "resilience/rate_limiter.h"

#include <algorithm>
#include <limits>

namespace cairn::resilience {

Status TokenBucketConfig::Validate() const {
  if (refill_period.count() <= 0)
    return Status::InvalidArgument("token bucket: refill_period must be > 0");
  if (burst == 0 || burst >= (1u << 24))
    return Status::InvalidArgument("token bucket: burst must be in [1, 2^24)");
  if (refill_tokens == 0) return Status::InvalidArgument("token bucket: refill_tokens must be > 0");
  return Status::Ok();
}

TokenBucket::TokenBucket(const TokenBucketConfig& config, const Clock& clock)
    : config_(config), clock_(clock), origin_ns_(clock.Now().count()), word_(config.burst) {
  CAIRN_CHECK(config.Validate().ok(), "invalid TokenBucketConfig (call Validate() first)");
}

std::uint64_t TokenBucket::Refilled(std::uint64_t word, std::int64_t period) const {
  const auto last = static_cast<std::int64_t>(word >> kTokenBits);
  std::uint64_t tokens = word & kTokenMask;
  if (period > last) {
    const auto periods = static_cast<std::uint64_t>(period - last);
    const std::uint64_t add =
        periods >= config_.burst ? config_.burst : periods * config_.refill_tokens;
    tokens = std::min<std::uint64_t>(config_.burst, tokens + add);
  } else {
    period = last;  // a reader with a stale clock never moves the period back
  }
  return (static_cast<std::uint64_t>(period) << kTokenBits) | tokens;
}

bool TokenBucket::TryAcquireAt(Nanos now, std::uint32_t tokens) {
  const std::int64_t period = std::max<std::int64_t>(0, now.count() - origin_ns_) /
                              config_.refill_period.count();
  std::uint64_t word = word_.load(std::memory_order_relaxed);
  for (;;) {
    const std::uint64_t fresh = Refilled(word, period);
    if ((fresh & kTokenMask) < tokens) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (word_.compare_exchange_weak(word, fresh - tokens, std::memory_order_acq_rel,
                                    std::memory_order_relaxed)) {
      return true;
    }
  }
}

std::uint32_t TokenBucket::available(Nanos now) const {
  const std::int64_t period = std::max<std::int64_t>(0, now.count() - origin_ns_) /
                              config_.refill_period.count();
  return static_cast<std::uint32_t>(Refilled(word_.load(), period) & kTokenMask);
}

Status GcraConfig::Validate() const {
  if (!(rate_per_second > 0 && rate_per_second <= 1e9))
    return Status::InvalidArgument("gcra: rate_per_second must be in (0, 1e9]");
  if (burst == 0) return Status::InvalidArgument("gcra: burst must be >= 1");
  return Status::Ok();
}

Gcra::Gcra(const GcraConfig& config, const Clock& clock)
    : clock_(clock),
      interval_ns_(static_cast<std::int64_t>(1e9 / config.rate_per_second)),
      tolerance_ns_(static_cast<std::int64_t>(config.burst - 1) * interval_ns_),
      tat_ns_(std::numeric_limits<std::int64_t>::min() / 2) {
  CAIRN_CHECK(config.Validate().ok(), "invalid GcraConfig (call Validate() first)");
}

bool Gcra::TryAcquireAt(Nanos now) {
  std::int64_t tat = tat_ns_.load(std::memory_order_relaxed);
  for (;;) {
    const std::int64_t base = std::max(tat, now.count());
    // Admit if the new TAT is at most tolerance ahead of now + T.
    if (base - now.count() > tolerance_ns_) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (tat_ns_.compare_exchange_weak(tat, base + interval_ns_, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
      return true;
    }
  }
}

Nanos Gcra::WaitTime(Nanos now) const {
  const std::int64_t ahead = tat_ns_.load(std::memory_order_relaxed) - now.count() - tolerance_ns_;
  return Nanos(ahead > 0 ? ahead : 0);
}

}  // namespace cairn::resilience
