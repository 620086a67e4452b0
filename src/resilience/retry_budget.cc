#include "resilience/retry_budget.h"

#include "resilience/coarse_clock.h"

namespace cairn::resilience {

Status RetryBudgetConfig::Validate() const {
  if (!(ratio_pct >= 0)) return Status::InvalidArgument("retry budget: ratio_pct must be >= 0");
  if (buckets == 0) return Status::InvalidArgument("retry budget: buckets must be > 0");
  if (window.count() < static_cast<std::int64_t>(buckets))
    return Status::InvalidArgument("retry budget: window too short for its buckets");
  return Status::Ok();
}

RetryBudget::RetryBudget(const RetryBudgetConfig& config, const Clock& clock)
    : config_(config),
      // Buckets of 100 ms or more need no better than the coarse clock.
      clock_(config.window / config.buckets >= std::chrono::milliseconds(100) ? CoarseIfSystem(clock)
                                                                              : clock),
      counters_(config.buckets, config.window / config.buckets) {
  CAIRN_CHECK(config.Validate().ok(), "invalid RetryBudgetConfig (call Validate() first)");
}

bool RetryBudget::TryRetry() {
  const Nanos now = clock_.Now();
  const auto sums = counters_.Sum(now);
  const double allowed = config_.min_retries_per_window + config_.ratio_pct / 100.0 * sums[0];
  // Check-then-add can let a few concurrent retries past the line; the budget
  // is a throttle, not an exact quota.
  if (static_cast<double>(sums[1]) + 1 > allowed) return false;
  counters_.Add(now, 1, 1);
  return true;
}

}  // namespace cairn::resilience
