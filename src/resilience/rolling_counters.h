#pragma once
// RollingCounters<K>: K counters summed over the last `buckets` time buckets of
// `bucket_width` each (a time-based sliding window). Used by the time-based
// circuit-breaker window and by the retry budget.
//
// A timestamp t falls in epoch floor(t / bucket_width). Sum(now) adds the
// buckets whose epoch lies in (epoch(now) - buckets, epoch(now)].
//
// Thread-safety: Add and Sum may run concurrently from any thread. Adding is
// lock-free except when a bucket is reused for a new epoch (once per
// bucket_width), which takes a mutex. A Sum racing an Add may or may not see it.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "common/assert.h"
#include "common/clock.h"

namespace cairn::resilience {

template <int K>
class RollingCounters {
 public:
  using Counts = std::array<std::uint64_t, K>;

  RollingCounters(std::uint32_t buckets, Nanos bucket_width)
      : bucket_count_(buckets),
        width_ns_(bucket_width.count()),
        buckets_(std::make_unique<Bucket[]>(buckets)) {
    CAIRN_CHECK(buckets > 0, "RollingCounters needs at least one bucket");
    CAIRN_CHECK(bucket_width.count() > 0, "bucket width must be positive");
  }

  // Adds delta to counter i at time now.
  void Add(Nanos now, int i, std::uint32_t delta) {
    Bucket& b = BucketFor(now);
    b.counts[i].fetch_add(delta, std::memory_order_relaxed);
  }
  // Adds deltas[i] to every counter i (one bucket lookup).
  void Add(Nanos now, const std::array<std::uint32_t, K>& deltas) {
    Bucket& b = BucketFor(now);
    for (int i = 0; i < K; ++i) {
      if (deltas[i] != 0) b.counts[i].fetch_add(deltas[i], std::memory_order_relaxed);
    }
  }

  Counts Sum(Nanos now) const {
    Counts out{};
    const std::int64_t cur = now.count() / width_ns_;
    for (std::uint32_t k = 0; k < bucket_count_; ++k) {
      const Bucket& b = buckets_[k];
      const std::int64_t e = b.epoch.load(std::memory_order_acquire);
      if (e <= cur - static_cast<std::int64_t>(bucket_count_) || e > cur) continue;
      for (int i = 0; i < K; ++i) out[i] += b.counts[i].load(std::memory_order_relaxed);
    }
    return out;
  }

  void Reset() {
    std::lock_guard<std::mutex> lock(roll_mu_);
    for (std::uint32_t k = 0; k < bucket_count_; ++k) {
      buckets_[k].epoch.store(-1, std::memory_order_relaxed);
      for (auto& c : buckets_[k].counts) c.store(0, std::memory_order_relaxed);
    }
  }

  std::uint32_t bucket_count() const { return bucket_count_; }
  Nanos bucket_width() const { return Nanos(width_ns_); }

 private:
  struct Bucket {
    std::atomic<std::int64_t> epoch{-1};
    std::array<std::atomic<std::uint32_t>, K> counts{};
  };

  Bucket& BucketFor(Nanos now) {
    const std::int64_t e = now.count() / width_ns_;
    Bucket& b = buckets_[static_cast<std::uint64_t>(e) % bucket_count_];
    if (b.epoch.load(std::memory_order_acquire) != e) Roll(b, e);
    return b;
  }

  // Reuses a bucket for epoch e. Counts are zeroed before the epoch is
  // published, so a reader that sees epoch e never sees the old counts.
  void Roll(Bucket& b, std::int64_t e) {
    std::lock_guard<std::mutex> lock(roll_mu_);
    if (b.epoch.load(std::memory_order_relaxed) >= e) return;  // rolled by another thread
    for (auto& c : b.counts) c.store(0, std::memory_order_relaxed);
    b.epoch.store(e, std::memory_order_release);
  }

  const std::uint32_t bucket_count_;
  const std::int64_t width_ns_;
  std::unique_ptr<Bucket[]> buckets_;
  std::mutex roll_mu_;
};

}  // namespace cairn::resilience
