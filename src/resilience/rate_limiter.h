#pragma once
// Rate limiters. Both are one atomic word updated by compare-and-swap: no
// lock, no allocation, one clock read per call (or none if the caller passes
// `now`). A rejected call gets RateLimitedRejection() (kResourceExhausted).
//
//   TokenBucket  `refill_tokens` tokens are added every `refill_period` (in
//                steps, like resilience4j's limitForPeriod), up to `burst`.
//   Gcra         the generic cell rate algorithm: a steady `rate_per_second`
//                with `burst` calls allowed back to back. It keeps one
//                number, the theoretical arrival time (TAT), and smooths
//                traffic instead of admitting a whole period's tokens at once.
//
// Thread-safety: all methods may be called from any thread.

#include <atomic>
#include <cstdint>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/call.h"

namespace cairn::resilience {

struct TokenBucketConfig {
  std::uint32_t refill_tokens = 100;
  Nanos refill_period = std::chrono::seconds(1);
  std::uint32_t burst = 100;  // bucket capacity; starts full
  Status Validate() const;
};

class TokenBucket {
 public:
  explicit TokenBucket(const TokenBucketConfig& config, const Clock& clock = SystemClock::Instance());

  bool TryAcquire(std::uint32_t tokens = 1) { return TryAcquireAt(clock_.Now(), tokens); }
  bool TryAcquireAt(Nanos now, std::uint32_t tokens = 1);
  std::uint32_t available(Nanos now) const;
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

  template <Call F>
  CallResultOf<F> Execute(F&& f) {
    if (!TryAcquire()) return FromStatus<CallResultOf<F>>(RateLimitedRejection());
    return f();
  }

 private:
  // Packed state: period number (high 40 bits) and tokens left (low 24 bits).
  static constexpr int kTokenBits = 24;
  static constexpr std::uint64_t kTokenMask = (1ull << kTokenBits) - 1;
  std::uint64_t Refilled(std::uint64_t word, std::int64_t period) const;

  const TokenBucketConfig config_;
  const Clock& clock_;
  const std::int64_t origin_ns_;
  alignas(64) std::atomic<std::uint64_t> word_;
  std::atomic<std::uint64_t> rejected_{0};
};

struct GcraConfig {
  double rate_per_second = 100;
  std::uint32_t burst = 10;  // calls allowed back to back (>= 1)
  Status Validate() const;
};

class Gcra {
 public:
  explicit Gcra(const GcraConfig& config, const Clock& clock = SystemClock::Instance());

  bool TryAcquire() { return TryAcquireAt(clock_.Now()); }
  bool TryAcquireAt(Nanos now);
  // How long until a call would be admitted (zero if now).
  Nanos WaitTime(Nanos now) const;
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

  template <Call F>
  CallResultOf<F> Execute(F&& f) {
    if (!TryAcquire()) return FromStatus<CallResultOf<F>>(RateLimitedRejection());
    return f();
  }

 private:
  const Clock& clock_;
  const std::int64_t interval_ns_;   // emission interval T = 1 / rate
  const std::int64_t tolerance_ns_;  // tau = (burst - 1) * T
  alignas(64) std::atomic<std::int64_t> tat_ns_;
  std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace cairn::resilience
