#pragma once
// CoarseClock: CLOCK_MONOTONIC_COARSE, the kernel's last tick (1-4 ms
// resolution) read from the vDSO without touching the TSC. It costs a few
// nanoseconds where SystemClock (steady_clock) costs 20-60 ns on a VM, and it
// shares CLOCK_MONOTONIC's epoch, so the two can be mixed.
//
// Good enough for: an open breaker's wait, time-window buckets of a second,
// rate limiters with periods of tens of milliseconds or more, retry budgets,
// timeouts of a second or more. Not for: slow-call thresholds or timeouts
// under ~10 ms, or latency histograms of fast calls (they would read 0).
//
// Thread-safety: stateless.

#include <time.h>

#include "common/clock.h"

namespace cairn::resilience {

class CoarseClock final : public Clock {
 public:
  Nanos Now() const override {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return Nanos(static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
  }
  static CoarseClock& Instance() {
    static CoarseClock clock;
    return clock;
  }
};

// CoarseClock in place of the SystemClock, for reads that need no more than
// millisecond resolution; any other clock (a test's ManualClock) is kept.
inline const Clock& CoarseIfSystem(const Clock& clock) {
  if (&clock == &SystemClock::Instance()) return CoarseClock::Instance();
  return clock;
}

}  // namespace cairn::resilience
