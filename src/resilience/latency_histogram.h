#pragma once
// LatencyHistogram: a lock-free log-linear histogram of durations in
// nanoseconds. Each power of two is split into 16 sub-buckets, so a reported
// percentile is within ~6% of the true value. Values from 0 to ~2^40 ns
// (~18 minutes); larger values land in the last bucket.
//
// Record() is two relaxed atomic adds (bucket and sum); no allocation.
//
// Thread-safety: Record, Percentile and the exporters may race; a reader sees
// each record entirely or not at all per counter (totals may lag by the
// records in flight).

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace cairn::resilience {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 4;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kMaxExp = 40;
  static constexpr int kBuckets = (kMaxExp - kSubBits + 1) * kSub + kSub;

  void Record(Nanos d) {
    const std::uint64_t v = d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
    counts_[Index(v)].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(v, std::memory_order_relaxed);
  }

  std::uint64_t count() const;
  std::uint64_t sum_ns() const { return sum_ns_.load(std::memory_order_relaxed); }
  // The q-quantile (0 <= q <= 1) as the upper bound of its bucket; 0 if empty.
  Nanos Percentile(double q) const;
  void Reset();

  // Prometheus histogram lines for `name` (seconds, cumulative buckets at
  // powers of two from 1 µs to ~17 s, +Inf, _sum, _count). `labels` is either
  // empty or `key="value",...` without braces.
  void AppendPrometheus(std::string& out, std::string_view name, std::string_view labels) const;

  static int Index(std::uint64_t v) {
    if (v < kSub) return static_cast<int>(v);
    const int msb = 63 - __builtin_clzll(v);
    if (msb > kMaxExp) return kBuckets - 1;
    const int sub = static_cast<int>((v >> (msb - kSubBits)) & (kSub - 1));
    return (msb - kSubBits + 1) * kSub + sub;
  }
  // Largest value that maps to bucket i.
  static std::uint64_t UpperBound(int i);

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace cairn::resilience
