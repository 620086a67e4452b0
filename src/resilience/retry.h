#pragma once
// Retry: calls again when an attempt fails with a transient error.
//
//   * at most max_attempts attempts (the first included), and, if
//     max_duration > 0, never starts a wait that would end past
//     start + max_duration (the overall deadline);
//   * waits Backoff::Next() between attempts (exponential, with full, equal
//     or decorrelated jitter), or the server's retry-after hint if longer
//     (hints above retry_after_max end the retrying: the server asked for a
//     pause longer than this caller will wait);
//   * retries an error when retry_on(status) says so. The default retries
//     kUnavailable only (the status.h contract: transient, try again) and
//     never a circuit-open rejection, kFailedPrecondition, kInvalidArgument or
//     anything else; a result predicate may ask to retry an OK result too;
//   * with a RetryBudget, every call deposits and every retry withdraws, so
//     retries stay below a fraction of the traffic (no retry storms).
//
// The final attempt's result is returned as is (no wrapping), so the caller
// sees the downstream's own status.
//
// Hot path: an attempt that succeeds the first time costs one predicate call;
// the clock is read only when a deadline or a budget is configured, and
// nothing allocates.
//
// Thread-safety: one Retry may be used by many threads at once.

#include <atomic>
#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "resilience/backoff.h"
#include "resilience/call.h"
#include "resilience/retry_budget.h"
#include "resilience/sleeper.h"

namespace cairn::resilience {

using RetryOnStatus = bool (*)(const Status&);
using RetryAfterOf = std::optional<Nanos> (*)(const Status&);

// kUnavailable, except a circuit breaker's own open rejection.
bool DefaultRetryOn(const Status& s);

// A server's retry-after hint carried in the message as "retry-after-ms=<n>".
std::optional<Nanos> RetryAfterFromMessage(const Status& s);
// `s` with a retry-after hint appended (allocates: error path only).
Status WithRetryAfter(const Status& s, Nanos after);

struct RetryConfig {
  std::uint32_t max_attempts = 3;
  Nanos max_duration = Nanos(0);  // 0 = no overall deadline
  Backoff backoff;
  RetryOnStatus retry_on = DefaultRetryOn;
  RetryAfterOf retry_after = RetryAfterFromMessage;  // nullptr = ignore hints
  Nanos retry_after_max = std::chrono::seconds(30);
  std::uint64_t seed = 0x9e3779b97f4a7c15ull;  // jitter; each call mixes in a counter
  Status Validate() const;
};

struct NeverRetryResult {
  template <typename R>
  bool operator()(const R&) const {
    return false;
  }
};

class Retry {
 public:
  // `budget` may be null (no budget) and must outlive the Retry.
  explicit Retry(const RetryConfig& config, const Clock& clock = SystemClock::Instance(),
                 Sleeper& sleeper = ThreadSleeper::Instance(), RetryBudget* budget = nullptr);

  template <Call F, typename P = NeverRetryResult>
  CallResultOf<F> Execute(F&& f, P&& retry_on_result = P{}) {
    const bool timed = config_.max_duration.count() > 0;
    const Nanos start = timed ? clock_.Now() : Nanos(0);
    if (budget_ != nullptr) budget_->OnCall();
    CallResultOf<F> r = f();
    if (StatusOf(r).ok() && !retry_on_result(r)) return r;
    return RetryLoop(f, std::move(r), retry_on_result, start);
  }

  std::uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }
  std::uint64_t budget_denials() const { return budget_denials_.load(std::memory_order_relaxed); }
  const RetryConfig& config() const { return config_; }

 private:
  // The wait before the next attempt, or nullopt to stop retrying.
  std::optional<Nanos> NextDelay(std::uint32_t retry, Nanos previous, const Status& s, Nanos start,
                                 Random& random);

  template <typename F, typename R, typename P>
  R RetryLoop(F& f, R r, P& retry_on_result, Nanos start) {
    Xoshiro256 random(config_.seed ^ calls_.fetch_add(1, std::memory_order_relaxed));
    Nanos previous(0);
    for (std::uint32_t attempt = 2; attempt <= config_.max_attempts; ++attempt) {
      const Status& s = StatusOf(r);
      const bool want = s.ok() ? retry_on_result(r) : config_.retry_on(s);
      if (!want) return r;
      const std::optional<Nanos> delay = NextDelay(attempt - 1, previous, s, start, random);
      if (!delay) return r;
      previous = *delay;
      sleeper_.SleepFor(*delay);
      retries_.fetch_add(1, std::memory_order_relaxed);
      r = f();
    }
    return r;
  }

  const RetryConfig config_;
  const Clock& clock_;
  Sleeper& sleeper_;
  RetryBudget* const budget_;
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> budget_denials_{0};
};

}  // namespace cairn::resilience
