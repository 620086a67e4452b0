#pragma once
// RetryBudget: retries may be at most ratio_pct percent of the calls made over
// the last `window` (plus min_retries_per_window, so a quiet client can still
// retry). It stops a fleet of clients from multiplying load on a downstream
// that is already failing (a "retry storm"): with ratio 10%, retries add at
// most 10% load however many attempts each call may make. After Finagle's
// RetryBudget and gRPC's retry throttling.
//
// On SystemClock with buckets of 100 ms or more it reads CoarseClock (a few
// ns a call instead of ~30).
//
// Thread-safety: all methods may be called from any thread; lock-free except
// once per bucket width (see RollingCounters).

#include <cstdint>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/rolling_counters.h"

namespace cairn::resilience {

struct RetryBudgetConfig {
  double ratio_pct = 20;
  std::uint32_t min_retries_per_window = 10;
  Nanos window = std::chrono::seconds(10);
  std::uint32_t buckets = 10;
  Status Validate() const;
};

class RetryBudget {
 public:
  explicit RetryBudget(const RetryBudgetConfig& config, const Clock& clock = SystemClock::Instance());

  // Every first attempt deposits into the budget.
  void OnCall() { counters_.Add(clock_.Now(), 0, 1); }
  // True (and the retry is counted) if a retry is within budget.
  bool TryRetry();
  // Calls and retries in the window.
  std::uint64_t calls() const { return counters_.Sum(clock_.Now())[0]; }
  std::uint64_t retries() const { return counters_.Sum(clock_.Now())[1]; }

 private:
  const RetryBudgetConfig config_;
  const Clock& clock_;
  RollingCounters<2> counters_;  // [0] calls, [1] retries
};

}  // namespace cairn::resilience
