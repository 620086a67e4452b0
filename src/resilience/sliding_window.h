#pragma once
// Sliding windows of call outcomes for the circuit breaker.
//
//   CountWindow(n)        the last n recorded calls
//   TimeWindow(n, width)  the calls recorded in the last n buckets of `width`
//
// Each call is recorded as (failure?, slow?). Snapshot() gives how many calls
// the window holds and how many of them failed or were slow.
//
// CountWindow keeps one byte per slot in a ring and two running totals. A
// record claims a slot with one fetch_add, swaps its byte in, and touches the
// totals only when the byte changed: in steady state (all successes) a record
// is two atomic instructions and no shared counter is written.
//
// Thread-safety: Record and Snapshot may run concurrently from any thread. A
// snapshot racing records may be off by the records in flight. Reset must not
// race Record (the circuit breaker resets only under its transition mutex and
// drops outcomes of calls admitted before the reset).

#include <atomic>
#include <cstdint>
#include <memory>

#include "common/clock.h"
#include "resilience/rolling_counters.h"

namespace cairn::resilience {

struct WindowSnapshot {
  std::uint64_t calls = 0;
  std::uint64_t failures = 0;
  std::uint64_t slow = 0;

  double failure_rate_pct() const { return calls ? 100.0 * failures / calls : 0.0; }
  double slow_rate_pct() const { return calls ? 100.0 * slow / calls : 0.0; }
};

class CountWindow {
 public:
  explicit CountWindow(std::uint32_t size);

  // Records one call. Returns true when the failure or slow totals changed
  // (only then can a threshold newly be crossed).
  bool Record(bool failure, bool slow) {
    const std::uint64_t ticket = next_.fetch_add(1, std::memory_order_relaxed);
    const std::uint8_t now = static_cast<std::uint8_t>((failure ? kFailure : 0) | (slow ? kSlow : 0));
    const std::uint8_t old = slots_[ticket % size_].exchange(now, std::memory_order_relaxed);
    if (old == now) return false;
    const int df = ((now & kFailure) ? 1 : 0) - ((old & kFailure) ? 1 : 0);
    const int ds = ((now & kSlow) ? 1 : 0) - ((old & kSlow) ? 1 : 0);
    if (df != 0) failures_.fetch_add(df, std::memory_order_relaxed);
    if (ds != 0) slow_.fetch_add(ds, std::memory_order_relaxed);
    return true;
  }

  WindowSnapshot Snapshot() const;
  void Reset();
  std::uint32_t size() const { return size_; }

 private:
  static constexpr std::uint8_t kFailure = 1;
  static constexpr std::uint8_t kSlow = 2;

  const std::uint32_t size_;
  std::unique_ptr<std::atomic<std::uint8_t>[]> slots_;
  alignas(64) std::atomic<std::uint64_t> next_{0};
  alignas(64) std::atomic<std::int64_t> failures_{0};
  std::atomic<std::int64_t> slow_{0};
};

class TimeWindow {
 public:
  TimeWindow(std::uint32_t buckets, Nanos bucket_width) : counters_(buckets, bucket_width) {}

  void Record(Nanos now, bool failure, bool slow) {
    counters_.Add(now, {1u, failure ? 1u : 0u, slow ? 1u : 0u});
  }
  WindowSnapshot Snapshot(Nanos now) const {
    auto c = counters_.Sum(now);
    return {c[0], c[1], c[2]};
  }
  void Reset() { counters_.Reset(); }

 private:
  RollingCounters<3> counters_;
};

}  // namespace cairn::resilience
