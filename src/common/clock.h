#pragma once
// Clock: the one seam through which runtime code reads time.
//
// Protocol cores (src/raft, src/txn, src/ap) never read a clock; they count
// ticks given to them. Runtime code (resilience, caches, the server) takes a
// Clock& so tests can drive time by hand and never sleep.
//
// Thread-safety: Now() may be called from any thread on both implementations.
// ManualClock::Advance/Set may race with Now(); readers see either value.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace cairn {

// Monotonic nanoseconds since an unspecified epoch. Never goes backwards.
using Nanos = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos Now() const = 0;
};

// std::chrono::steady_clock.
class SystemClock final : public Clock {
 public:
  Nanos Now() const override {
    return std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch());
  }
  // A process-wide instance for code that has no clock injected.
  static SystemClock& Instance();
};

// Time that moves only when a test says so.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Nanos start = Nanos(0)) : now_ns_(start.count()) {}
  Nanos Now() const override { return Nanos(now_ns_.load(std::memory_order_acquire)); }
  void Advance(Nanos d) { now_ns_.fetch_add(d.count(), std::memory_order_acq_rel); }
  void Set(Nanos t) { now_ns_.store(t.count(), std::memory_order_release); }

 private:
  std::atomic<std::int64_t> now_ns_;
};

}  // namespace cairn
