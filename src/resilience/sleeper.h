#pragma once
// Sleeper: the seam through which a blocking strategy (retry backoff, the
// bulkhead's wait) waits. Production uses ThreadSleeper; tests use
// ManualSleeper, which advances a ManualClock instead of sleeping, so a test
// of a ten-second backoff runs in microseconds and never sleeps.
//
// Thread-safety: ThreadSleeper is stateless. ManualSleeper may be shared by
// threads; its totals are atomic.

#include <atomic>
#include <cstdint>

#include "common/clock.h"

namespace cairn::resilience {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void SleepFor(Nanos d) = 0;
};

class ThreadSleeper final : public Sleeper {
 public:
  void SleepFor(Nanos d) override;
  static ThreadSleeper& Instance();
};

class ManualSleeper final : public Sleeper {
 public:
  explicit ManualSleeper(ManualClock& clock) : clock_(clock) {}
  void SleepFor(Nanos d) override {
    sleeps_.fetch_add(1, std::memory_order_relaxed);
    total_ns_.fetch_add(d.count(), std::memory_order_relaxed);
    last_ns_.store(d.count(), std::memory_order_relaxed);
    clock_.Advance(d);
  }
  std::uint64_t sleeps() const { return sleeps_.load(); }
  Nanos total() const { return Nanos(total_ns_.load()); }
  Nanos last() const { return Nanos(last_ns_.load()); }

 private:
  ManualClock& clock_;
  std::atomic<std::uint64_t> sleeps_{0};
  std::atomic<std::int64_t> total_ns_{0};
  std::atomic<std::int64_t> last_ns_{0};
};

}  // namespace cairn::resilience
